import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { createBrowser, type TestBrowser } from '../support/browser.ts'
import { startFakeOAuthProvider, type FakeOAuthProvider } from '../support/fake-oauth.ts'

// GitHub, Discord and LinuxDO sign-in against fakes that answer on the providers' real paths with
// their real wire shapes (GitHub's private email via /user/emails and its status-200 token errors,
// Discord's PKCE rules, LinuxDO's HTTP Basic client authentication and trust levels).

for (const backend of testBackends) {
  describe(`GitHub, Discord and LinuxDO sign-in (${backend.name})`, () => {
    let gateway: TestGateway
    let github: FakeOAuthProvider
    let discord: FakeOAuthProvider
    let linuxdo: FakeOAuthProvider

    const start = (provider: string, query = '') => `${gateway.url}/api/auth/oauth/${provider}/start${query}`
    const me = async (browser: TestBrowser) =>
      (await (await browser.request(`${gateway.url}/api/users/me`)).json()) as { id: number; username: string; email: string | null; displayName: string }
    const jsonCallback = async (provider: string) => {
      const browser = createBrowser()
      const toProvider = await browser.request(start(provider))
      const back = (await fetch(toProvider.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!
      const answer = await browser.request(back, { headers: { accept: 'application/json' } })
      return { status: answer.status, body: (await answer.json()) as { error: { code: string; message: string } } }
    }

    beforeAll(async () => {
      github = startFakeOAuthProvider('github')
      discord = startFakeOAuthProvider('discord')
      linuxdo = startFakeOAuthProvider('linuxdo')
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      await gateway.admin('PATCH', '/api/auth/settings', {
        registrationEnabled: true,
        github: github.settings(),
        discord: discord.settings(),
        linuxdo: { ...linuxdo.settings(), minimumTrustLevel: 2 },
      })
    })
    afterAll(async () => {
      await gateway.stop()
      await Promise.all([github.stop(), discord.stop(), linuxdo.stop()])
    })

    test('the login page lists the three providers in a fixed order', async () => {
      const status = (await (await fetch(`${gateway.url}/api/status`)).json()) as {
        signInMethods: string[]
        signInProviders: Array<{ id: string; name: string }>
        registrationEnabled: boolean
      }
      expect(status.signInMethods).toEqual(['password', 'github', 'discord', 'linuxdo'])
      expect(status.signInProviders.map((entry) => entry.name)).toEqual(['GitHub', 'Discord', 'LinuxDO'])
      expect(status.registrationEnabled).toBe(true)
    })

    test('GitHub: a public email comes from /user; the account signs in with PKCE', async () => {
      github.user = { login: 'octo-cat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', name: 'The Octocat', email: 'octocat@github.example', type: 'User' }
      const browser = createBrowser()
      expect((await browser.follow(start('github'), gateway.url)).final).toBe('/')
      const user = await me(browser)
      expect(user).toMatchObject({ username: 'octo-cat', email: 'octocat@github.example', displayName: 'The Octocat' })
      const authorize = github.authorizeRequests.at(-1)!
      expect(authorize.scope).toBe('read:user user:email')
      expect(authorize.code_challenge_method).toBe('S256')
      expect(github.tokenRequests.at(-1)!.form.code_verifier).toMatch(/^[A-Za-z0-9]{64}$/)
    })

    test('GitHub: a private email is read from /user/emails (the verified primary one)', async () => {
      github.user = { login: 'private-person', id: 1001, name: null, email: null }
      github.emails = [
        { email: 'old@example.com', primary: false, verified: true, visibility: null },
        { email: 'unverified-primary@example.com', primary: true, verified: false, visibility: 'private' },
        { email: 'also-verified@example.com', primary: false, verified: true, visibility: null },
      ]
      const first = createBrowser()
      expect((await first.follow(start('github'), gateway.url)).final).toBe('/')
      expect((await me(first)).email).toBe('old@example.com')
      github.user = { login: 'private-primary', id: 1002, name: null, email: null }
      github.emails = [
        { email: 'secondary@example.com', primary: false, verified: true, visibility: null },
        { email: 'primary@example.com', primary: true, verified: true, visibility: 'private' },
      ]
      const second = createBrowser()
      expect((await second.follow(start('github'), gateway.url)).final).toBe('/')
      expect((await me(second)).email).toBe('primary@example.com')
      const linked = await gateway.admin<Array<{ provider: string; subject: string; login: string }>>(
        'GET',
        `/api/users/${(await me(second)).id}/oauth-accounts`,
      )
      expect(linked).toEqual([expect.objectContaining({ provider: 'github', subject: '1002', login: 'private-primary', email: 'primary@example.com' })])
    })

    test('GitHub: a refused code (status 200 with an error body) and a refusal at the provider end on the login page', async () => {
      const clientSecret = github.clientSecret
      github.clientSecret = 'rotated-at-github'
      github.user = { login: 'never-created', id: 1003, email: null }
      const refused = await jsonCallback('github')
      expect(refused.status).toBe(502)
      expect(refused.body.error.code).toBe('oauth_failed')
      expect(refused.body.error.message).toContain('invalid_client')
      github.clientSecret = clientSecret
      github.refuseWith = 'access_denied'
      expect((await createBrowser().follow(start('github'), gateway.url)).final).toBe('/login?error=oauth_denied')
      github.refuseWith = undefined
      expect((await gateway.admin<{ total: number }>('GET', '/api/users?q=never-created')).total).toBe(0)
    })

    test("Discord: a verified email is kept, an unverified one is not; the verifier meets Discord's length rule", async () => {
      discord.user = {
        id: '80351110224678912',
        username: 'nelly',
        discriminator: '0',
        global_name: 'Nelly',
        avatar: null,
        email: 'nelly@discord.example',
        verified: true,
        locale: 'en-US',
      }
      const first = createBrowser()
      expect((await first.follow(start('discord', '?redirect=/usage'), gateway.url)).final).toBe('/usage')
      expect(await me(first)).toMatchObject({ username: 'nelly', email: 'nelly@discord.example', displayName: 'Nelly' })
      expect(discord.authorizeRequests.at(-1)!.scope).toBe('identify email')
      expect(discord.tokenRequests.at(-1)!.form.client_secret).toBe(discord.clientSecret)

      discord.user = {
        id: '80351110224678913',
        username: 'unverified',
        discriminator: '0',
        global_name: null,
        email: 'unverified@discord.example',
        verified: false,
      }
      const second = createBrowser()
      expect((await second.follow(start('discord'), gateway.url)).final).toBe('/')
      expect((await me(second)).email).toBeNull()
    })

    test('LinuxDO: the client authenticates with HTTP Basic; accounts below the minimum trust level are refused', async () => {
      linuxdo.user = {
        id: 12345,
        username: 'newbie',
        name: 'New Bie',
        avatar_template: '/user_avatar/linux.do/newbie/{size}/1.png',
        active: true,
        trust_level: 1,
        silenced: false,
      }
      expect((await createBrowser().follow(start('linuxdo'), gateway.url)).final).toBe('/login?error=trust_level_too_low')
      const refused = await jsonCallback('linuxdo')
      expect(refused.status).toBe(403)
      expect(refused.body.error.message).toContain('trust level 1')
      expect((await gateway.admin<{ total: number }>('GET', '/api/users?q=newbie')).total).toBe(0)

      linuxdo.user = { ...linuxdo.user, id: 12346, username: 'regular', trust_level: 2 }
      const browser = createBrowser()
      expect((await browser.follow(start('linuxdo'), gateway.url)).final).toBe('/')
      expect((await me(browser)).username).toBe('regular')
      const token = linuxdo.tokenRequests.at(-1)!
      expect(token.authorization).toBe(`Basic ${btoa(`${linuxdo.clientId}:${linuxdo.clientSecret}`)}`)
      expect(token.form.client_secret).toBeUndefined()
      expect(linuxdo.authorizeRequests.at(-1)!.scope).toBeUndefined()
    })

    test('one user can link several providers; a second account of the same provider is refused', async () => {
      await gateway.createUser({ username: 'collector', quota: 0 })
      const browser = createBrowser()
      await browser.request(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'collector', password: 'password-123', session: true }),
      })
      github.user = { login: 'collector-gh', id: 2001, email: null }
      github.emails = []
      discord.user = { id: '2002', username: 'collector-dc', verified: false }
      expect((await browser.follow(start('github', '?link=1'), gateway.url)).final).toBe('/')
      expect((await browser.follow(start('discord', '?link=1'), gateway.url)).final).toBe('/')
      const linked = (await (await browser.request(`${gateway.url}/api/users/me/oauth-accounts`)).json()) as Array<{ provider: string }>
      expect(linked.map((entry) => entry.provider)).toEqual(['github', 'discord'])
      github.user = { login: 'collector-second-gh', id: 2003, email: null }
      expect((await browser.follow(start('github', '?link=1'), gateway.url)).final).toBe('/login?error=conflict')
    })

    test('a provider that is switched off has no start page', async () => {
      await gateway.admin('PATCH', '/api/auth/settings', { discord: { enabled: false } })
      const response = await fetch(start('discord'), { redirect: 'manual' })
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe('/login?error=provider_disabled')
      const json = await fetch(start('discord'), { headers: { accept: 'application/json' } })
      expect(json.status).toBe(404)
      const status = (await (await fetch(`${gateway.url}/api/status`)).json()) as { signInMethods: string[] }
      expect(status.signInMethods).toEqual(['password', 'github', 'linuxdo'])
      await gateway.admin('PATCH', '/api/auth/settings', { discord: { enabled: true } })
    })
  })
}
