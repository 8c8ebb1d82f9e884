import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { OAuth2Server } from 'oauth2-mock-server'
import { startReplicas, type ReplicaSet } from '../support/replicas.ts'
import { createBrowser, type TestBrowser } from '../support/browser.ts'
import { totpCode } from '../../core/security/totp.ts'

// Provider sign-in on two gateway processes sharing PostgreSQL and Redis: settings changed on one
// replica reach the other, a flow started on one finishes on the other (nothing is kept in process
// memory), and a pending two-factor sign-in is single-use across both.

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL

describe.skipIf(!databaseUrl || !redisUrl)('provider sign-in across replicas', () => {
  let set: ReplicaSet
  let provider: OAuth2Server
  let subject = 'replica-sub'
  const url = (replica: number, path: string) => `${set.replicas[replica]!.url}${path}`

  /** Starts on replica `from`, lets the provider answer, and delivers the callback to replica `to`. */
  async function signIn(browser: TestBrowser, from: number, to: number): Promise<Response> {
    const toProvider = await browser.request(url(from, '/api/auth/oauth/oidc/start'))
    const back = new URL((await fetch(toProvider.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!)
    return browser.request(url(to, `${back.pathname}${back.search}`))
  }

  beforeAll(async () => {
    provider = new OAuth2Server()
    await provider.issuer.keys.generate('RS256')
    await provider.start(0, '127.0.0.1')
    provider.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
      token.payload.sub = subject
      token.payload.preferred_username = subject
    })
    set = await startReplicas({ count: 2, databaseUrl: databaseUrl ?? '', redisUrl: redisUrl ?? '' })
    await set.admin(0, 'PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
  }, 60_000)
  afterAll(async () => {
    await set?.stop()
    await provider?.stop()
  })

  test('settings saved on one replica reach the other; a flow begun on one finishes on the other', async () => {
    await set.admin(0, 'PATCH', '/api/auth/settings', {
      allowOAuthRegistration: true,
      oidc: { enabled: true, issuerUrl: provider.issuer.url, clientId: 'replica-client', clientSecret: 'replica-secret' },
    })
    let methods: string[] = []
    for (let attempt = 0; attempt < 100 && !methods.includes('oidc'); attempt += 1) {
      methods = ((await (await fetch(url(1, '/api/status'))).json()) as { signInMethods: string[] }).signInMethods
      if (!methods.includes('oidc')) await Bun.sleep(20)
    }
    expect(methods).toEqual(['password', 'oidc'])

    const browser = createBrowser()
    const finished = await signIn(browser, 0, 1)
    expect(finished.status).toBe(302)
    expect(finished.headers.get('location')).toBe('/')
    for (const replica of [0, 1]) {
      const me = await browser.request(url(replica, '/api/users/me'))
      expect(me.status).toBe(200)
      expect(((await me.json()) as { username: string }).username).toBe('replica-sub')
    }
  })

  test('a pending two-factor sign-in is completed once, whichever replica gets it', async () => {
    subject = 'replica-careful'
    const browser = createBrowser()
    expect((await signIn(browser, 1, 0)).headers.get('location')).toBe('/')
    const csrf = { 'content-type': 'application/json', 'x-csrf-token': browser.cookie(url(0, '/api/'), 'hanggent_csrf')! }
    const { secret } = (await (await browser.request(url(0, '/api/users/me/two-factor/setup'), { method: 'POST', headers: csrf, body: '{}' })).json()) as {
      secret: string
    }
    expect(
      (
        await browser.request(url(1, '/api/users/me/two-factor/enable'), {
          method: 'POST',
          headers: csrf,
          body: JSON.stringify({ code: totpCode(secret, new Date()) }),
        })
      ).status,
    ).toBe(200)

    const fresh = createBrowser()
    const pending = await signIn(fresh, 0, 1)
    expect(pending.headers.get('location')).toBe('/login?twoFactor=1')
    const ticket = fresh.cookie(url(0, '/api/auth/login/two-factor'), 'hanggent_pending_login')!
    const complete = (replica: number, code: string) =>
      fetch(url(replica, '/api/auth/login/two-factor'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `hanggent_pending_login=${ticket}` },
        body: JSON.stringify({ code }),
      })
    expect((await complete(0, totpCode(secret, new Date(Date.now() + 30_000)))).status).toBe(200)
    const replay = await complete(1, '000000')
    expect(replay.status).toBe(401)
    expect(((await replay.json()) as { error: { message: string } }).error.message).toContain('already completed')
  })
})
