import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { OAuth2Server } from 'oauth2-mock-server'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { createBrowser, type TestBrowser } from '../support/browser.ts'
import { totpCode } from '../../core/security/totp.ts'

// OpenID Connect sign-in end to end against oauth2-mock-server on 127.0.0.1: the browser goes to
// the provider and back, the ID token is verified (signature, issuer, audience, expiry, nonce), and
// the user is signed in, registered, linked or refused.

interface Claims {
  sub: string
  email?: string
  preferred_username?: string
  name?: string
}
type TokenPayload = Record<string, unknown>

for (const backend of testBackends) {
  describe(`OpenID Connect sign-in (${backend.name})`, () => {
    let gateway: TestGateway
    let provider: OAuth2Server
    let claims: Claims
    /** Changes the next ID token after the provider filled it in (expiry, nonce, …). */
    let alterIdToken: ((payload: TokenPayload) => void) | undefined
    /** Changes the token endpoint's answer (e.g. to tamper with the signed ID token). */
    let alterTokenAnswer: ((body: Record<string, unknown>) => void) | undefined
    const clientId = 'hanggent-oidc-client'

    const start = (query = '') => `${gateway.url}/api/auth/oauth/oidc/start${query}`
    const me = async (browser: TestBrowser) => {
      const response = await browser.request(`${gateway.url}/api/users/me`)
      return { status: response.status, body: (await response.json()) as { id: number; username: string; email: string | null } }
    }
    const passwordSession = async (browser: TestBrowser, username: string, password = 'password-123') => {
      const response = await browser.request(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, session: true }),
      })
      expect(response.status).toBe(200)
    }
    const signInSettings = (patch: Record<string, unknown>) => gateway.admin('PATCH', '/api/auth/settings', patch)
    /** Runs a flow to the callback and asks the callback for JSON; returns its status and body. */
    const jsonCallback = async (browser: TestBrowser, query = '') => {
      const toProvider = await browser.request(start(query))
      const back = (await fetch(toProvider.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!
      const answer = await browser.request(back, { headers: { accept: 'application/json' } })
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> & { error: { code: string; message: string } } }
    }

    beforeAll(async () => {
      provider = new OAuth2Server()
      await provider.issuer.keys.generate('RS256')
      await provider.start(0, '127.0.0.1')
      provider.service.on('beforeTokenSigning', (token: { payload: TokenPayload }) => {
        Object.assign(token.payload, claims)
        // The ID token is the one addressed to our client.
        if (token.payload.aud === clientId) alterIdToken?.(token.payload)
      })
      provider.service.on('beforeResponse', (response: { body: Record<string, unknown> }) => alterTokenAnswer?.(response.body))
      provider.service.on('beforeUserinfo', (response: { body: Record<string, unknown> }) => {
        response.body = { ...claims }
      })
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 }, newUserQuota: 4321 })
      await signInSettings({
        oidc: { enabled: true, displayName: 'Company SSO', issuerUrl: provider.issuer.url, clientId, clientSecret: 'oidc-client-secret' },
      })
    })
    afterAll(async () => {
      await gateway.stop()
      await provider.stop()
    })
    beforeEach(async () => {
      claims = { sub: 'ignored', email: undefined, preferred_username: undefined, name: undefined }
      alterIdToken = undefined
      alterTokenAnswer = undefined
      await signInSettings({ registrationEnabled: false, allowOAuthRegistration: null })
    })

    test('the login page gets an OIDC button; start sends the browser to the provider with state, nonce and PKCE', async () => {
      const status = (await (await fetch(`${gateway.url}/api/status`)).json()) as Record<string, unknown>
      expect(status.signInMethods).toEqual(['password', 'oidc'])
      expect(status.signInProviders).toEqual([{ id: 'oidc', name: 'Company SSO', kind: 'oauth', startUrl: '/api/auth/oauth/oidc/start' }])
      const browser = createBrowser()
      const response = await browser.request(start())
      expect(response.status).toBe(302)
      const location = new URL(response.headers.get('location')!)
      expect(location.origin + location.pathname).toBe(`${provider.issuer.url}/authorize`)
      expect(location.searchParams.get('client_id')).toBe(clientId)
      expect(location.searchParams.get('scope')).toBe('openid profile email')
      expect(location.searchParams.get('redirect_uri')).toBe(`${gateway.url}/api/auth/oauth/oidc/callback`)
      expect(location.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32)
      expect(location.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32)
      expect(location.searchParams.get('code_challenge_method')).toBe('S256')
      expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const flowCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('hanggent_oauth_oidc='))!
      expect(flowCookie).toContain('HttpOnly')
      expect(flowCookie).toContain('Path=/api/auth/oauth/oidc')
      expect(flowCookie).toContain('Max-Age=600')
      // The state travels sealed: neither it nor the verifier can be read from the cookie.
      expect(flowCookie).not.toContain(location.searchParams.get('state')!)
    })

    test('a script asking for JSON gets the provider address instead of a redirect, with the same flow cookie', async () => {
      const response = await fetch(start(), { headers: { accept: 'application/json' }, redirect: 'manual' })
      expect(response.status).toBe(200)
      const { location } = (await response.json()) as { location: string }
      expect(new URL(location).origin + new URL(location).pathname).toBe(`${provider.issuer.url}/authorize`)
      expect(new URL(location).searchParams.get('state')!.length).toBeGreaterThanOrEqual(32)
      expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('hanggent_oauth_oidc='))).toBe(true)
    })

    test('an unknown identity is refused while registration is closed', async () => {
      claims = { sub: 'stranger-1', preferred_username: 'stranger' }
      const browser = createBrowser()
      const { final } = await browser.follow(start(), gateway.url)
      expect(final).toBe('/login?error=registration_closed')
      expect(browser.cookie(`${gateway.url}/api/users/me`, 'hanggent_session')).toBeUndefined()
      const users = await gateway.admin<{ items: Array<{ username: string }> }>('GET', '/api/users?q=stranger')
      expect(users.items).toEqual([])
    })

    test('with provider registration allowed, a first sign-in creates the user and signs in', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      claims = { sub: 'ada-sub-1', email: 'ada@example.com', preferred_username: 'ada.lovelace', name: 'Ada Lovelace' }
      const browser = createBrowser()
      const { final } = await browser.follow(start('?redirect=/tokens%3Fpage%3D2'), gateway.url)
      expect(final).toBe('/tokens?page=2')
      const signedIn = await me(browser)
      expect(signedIn.status).toBe(200)
      expect(signedIn.body.username).toBe('ada.lovelace')
      expect(signedIn.body.email).toBe('ada@example.com')
      const user = await gateway.admin<{ quota: number; displayName: string }>('GET', `/api/users/${signedIn.body.id}`)
      expect(user.quota).toBe(4321)
      expect(user.displayName).toBe('Ada Lovelace')
      const linked = await gateway.admin<Array<Record<string, unknown>>>('GET', `/api/users/${signedIn.body.id}/oauth-accounts`)
      expect(linked).toEqual([
        expect.objectContaining({ provider: 'oidc', providerName: 'Company SSO', subject: 'ada-sub-1', login: 'ada.lovelace', email: 'ada@example.com' }),
      ])
      const logs = await gateway.logs()
      expect(
        logs.some((entry) => entry.type === 'manage' && entry.userId === signedIn.body.id && String(entry.content).includes('registered through Company SSO')),
      ).toBe(true)
      expect(
        logs.some((entry) => entry.type === 'login' && entry.userId === signedIn.body.id && String(entry.content).includes('signed in with Company SSO')),
      ).toBe(true)

      // The same identity later signs into the same user, even with registration closed again.
      await signInSettings({ allowOAuthRegistration: false })
      const again = createBrowser()
      expect((await again.follow(start(), gateway.url)).final).toBe('/')
      expect((await me(again)).body.id).toBe(signedIn.body.id)
    })

    test('a taken username gets a suffix; the email stays with its first owner', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      await gateway.admin('POST', '/api/users', { username: 'grace', password: 'password-123', email: 'grace@example.com' })
      claims = { sub: 'grace-sub', email: 'GRACE@example.com', preferred_username: 'Grace' }
      const browser = createBrowser()
      expect((await browser.follow(start(), gateway.url)).final).toBe('/')
      const created = await me(browser)
      expect(created.body.username).toBe('Grace-2')
      expect(created.body.email).toBeNull()
    })

    test('JSON callers get the outcome as JSON, refusals in the admin error shape', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      claims = { sub: 'json-sub', preferred_username: 'json-user' }
      const { status, body } = await jsonCallback(createBrowser())
      expect(status).toBe(200)
      expect(body).toMatchObject({
        outcome: 'signed-in',
        created: true,
        redirect: '/',
        user: { username: 'json-user' },
        account: { provider: 'oidc', subject: 'json-sub' },
      })
      expect(String(body.accessToken)).toStartWith('hat_')

      await signInSettings({ allowOAuthRegistration: false })
      claims = { sub: 'json-stranger' }
      const refused = await jsonCallback(createBrowser())
      expect(refused.status).toBe(403)
      expect(refused.body.error.code).toBe('registration_closed')
    })

    test('a signed-in user links an identity; it then signs into that user; nobody else can link it', async () => {
      const userId = await gateway.createUser({ username: 'linker', quota: 0 })
      const browser = createBrowser()
      await passwordSession(browser, 'linker')
      claims = { sub: 'linker-sub', preferred_username: 'linker-at-idp', email: 'linker@idp.example' }
      const { final } = await browser.follow(start('?link=1&redirect=/profile'), gateway.url)
      expect(final).toBe('/profile')
      const linked = await (await browser.request(`${gateway.url}/api/users/me/oauth-accounts`)).json()
      expect(linked).toEqual([expect.objectContaining({ provider: 'oidc', subject: 'linker-sub', login: 'linker-at-idp' })])

      const fresh = createBrowser()
      expect((await fresh.follow(start(), gateway.url)).final).toBe('/')
      expect((await me(fresh)).body.id).toBe(userId)

      await gateway.createUser({ username: 'intruder', quota: 0 })
      const intruder = createBrowser()
      await passwordSession(intruder, 'intruder')
      expect((await intruder.follow(start('?link=1'), gateway.url)).final).toBe('/login?error=identity_taken')
      const logs = await gateway.logs({ type: 'manage' })
      expect(logs.some((entry) => entry.userId === userId && String(entry.content).includes('Company SSO account "linker-at-idp" linked'))).toBe(true)
    })

    test('linking needs a signed-in user', async () => {
      const response = await fetch(start('?link=1'), { redirect: 'manual', headers: { accept: 'application/json' } })
      expect(response.status).toBe(401)
    })

    test('a wrong or missing state is refused before any code exchange', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      claims = { sub: 'state-sub' }
      const browser = createBrowser()
      const toProvider = await browser.request(start())
      const back = new URL((await fetch(toProvider.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!)
      const forged = new URL(back)
      forged.searchParams.set('state', 'not-the-state-we-sent')
      expect((await browser.follow(forged.toString(), gateway.url)).final).toBe('/login?error=oauth_state_invalid')
      // Another browser (without the flow cookie) cannot finish the flow either.
      expect((await createBrowser().follow(back.toString(), gateway.url)).final).toBe('/login?error=oauth_state_invalid')
      // The flow cookie is spent by the failed attempt, so even the genuine answer no longer works here.
      expect((await browser.follow(back.toString(), gateway.url)).final).toBe('/login?error=oauth_state_invalid')
      const users = await gateway.admin<{ total: number }>('GET', '/api/users?q=state-sub')
      expect(users.total).toBe(0)
    })

    test('a tampered ID token is refused', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      claims = { sub: 'tamper-sub', preferred_username: 'tamper' }
      alterTokenAnswer = (body) => {
        const [header, payload, signature] = String(body.id_token).split('.')
        const claimsJson = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>
        claimsJson.sub = 'someone-else'
        body.id_token = [header, Buffer.from(JSON.stringify(claimsJson)).toString('base64url'), signature].join('.')
      }
      expect((await createBrowser().follow(start(), gateway.url)).final).toBe('/login?error=oauth_failed')
      const refused = await jsonCallback(createBrowser())
      expect(refused.status).toBe(401)
      expect(refused.body.error.message).toContain('signature verification failed')
      expect((await gateway.admin<{ total: number }>('GET', '/api/users?q=tamper')).total).toBe(0)
    })

    test('an expired ID token is refused', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      claims = { sub: 'late-sub', preferred_username: 'late' }
      alterIdToken = (payload) => {
        const now = Math.floor(Date.now() / 1000)
        Object.assign(payload, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 })
      }
      expect((await createBrowser().follow(start(), gateway.url)).final).toBe('/login?error=oauth_failed')
      const refused = await jsonCallback(createBrowser())
      expect(refused.status).toBe(401)
      expect(refused.body.error.message).toContain('"exp" claim timestamp check failed')
      expect((await gateway.admin<{ total: number }>('GET', '/api/users?q=late')).total).toBe(0)
    })

    test('an ID token for another client, or with a nonce from another sign-in, is refused', async () => {
      await signInSettings({ allowOAuthRegistration: true })
      claims = { sub: 'nonce-sub', preferred_username: 'noncey' }
      alterIdToken = (payload) => {
        payload.nonce = 'a-nonce-from-another-sign-in'
      }
      const wrongNonce = await jsonCallback(createBrowser())
      expect(wrongNonce.status).toBe(401)
      expect(wrongNonce.body.error.message).toContain('the nonce does not match')

      alterIdToken = (payload) => {
        payload.aud = 'some-other-client'
      }
      expect((await createBrowser().follow(start(), gateway.url)).final).toBe('/login?error=oauth_failed')
      const wrongAudience = await jsonCallback(createBrowser())
      expect(wrongAudience.body.error.message).toContain('"aud" claim')
      expect((await gateway.admin<{ total: number }>('GET', '/api/users?q=noncey')).total).toBe(0)
    })

    test('redirects must stay on this site', async () => {
      for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'tokens']) {
        const browser = createBrowser()
        const response = await browser.request(start(`?redirect=${encodeURIComponent(target)}`))
        expect(response.status).toBe(302)
        expect(response.headers.get('location')).toBe('/login?error=invalid_request')
        expect(browser.names()).toEqual([])
      }
    })

    test('a user with two-factor sign-in on must still give the code after the provider', async () => {
      const userId = await gateway.createUser({ username: 'two-factor-oidc', quota: 0 })
      const browser = createBrowser()
      await passwordSession(browser, 'two-factor-oidc')
      const csrf = browser.cookie(`${gateway.url}/api/`, 'hanggent_csrf')!
      const write = (path: string, body: unknown = {}) =>
        browser.request(`${gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(body),
        })
      const { secret } = (await (await write('/api/users/me/two-factor/setup')).json()) as { secret: string }
      expect((await write('/api/users/me/two-factor/enable', { code: totpCode(secret, new Date()) })).status).toBe(200)
      claims = { sub: 'two-factor-sub', preferred_username: 'tf' }
      expect((await browser.follow(start('?link=1'), gateway.url)).final).toBe('/')

      const fresh = createBrowser()
      const { final } = await fresh.follow(start('?redirect=/logs'), gateway.url)
      expect(final).toBe('/login?twoFactor=1&redirect=%2Flogs')
      expect(fresh.cookie(`${gateway.url}/api/users/me`, 'hanggent_session')).toBeUndefined()
      expect((await me(fresh)).status).toBe(401)
      const ticket = fresh.cookie(`${gateway.url}/api/auth/login/two-factor`, 'hanggent_pending_login')!
      expect(ticket).toBeDefined()
      const complete = (code: string) =>
        fresh.request(`${gateway.url}/api/auth/login/two-factor`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        })
      expect((await complete('000000')).status).toBe(401)
      const done = await complete(totpCode(secret, new Date(Date.now() + 30_000)))
      expect(done.status).toBe(200)
      expect(((await done.json()) as { user: { id: number } }).user.id).toBe(userId)
      expect((await me(fresh)).body.id).toBe(userId)
      // The ticket was spent and its cookie removed.
      expect(fresh.names()).not.toContain('hanggent_pending_login')
      expect(
        (
          await createBrowser().request(`${gateway.url}/api/auth/login/two-factor`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: '123456' }),
          })
        ).status,
      ).toBe(401)
      const replay = await fetch(`${gateway.url}/api/auth/login/two-factor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `hanggent_pending_login=${ticket}` },
        body: JSON.stringify({ code: totpCode(secret, new Date(Date.now() + 60_000)) }),
      })
      expect(replay.status).toBe(401)
      expect(((await replay.json()) as { error: { message: string } }).error.message).toContain('already completed')
      const logins = await gateway.logs({ type: 'login' })
      expect(logins.some((entry) => entry.userId === userId && String(entry.content).includes('signed in with Company SSO and a two-factor code'))).toBe(true)
    })

    test('a disabled user cannot sign in through the provider', async () => {
      const userId = await gateway.createUser({ username: 'soon-disabled', quota: 0 })
      const browser = createBrowser()
      await passwordSession(browser, 'soon-disabled')
      claims = { sub: 'disabled-sub' }
      expect((await browser.follow(start('?link=1'), gateway.url)).final).toBe('/')
      await gateway.admin('PATCH', `/api/users/${userId}`, { status: 'disabled' })
      expect((await createBrowser().follow(start(), gateway.url)).final).toBe('/login?error=user_disabled')
    })
  })
}
