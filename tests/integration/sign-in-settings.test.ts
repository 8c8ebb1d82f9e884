import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { createBrowser } from '../support/browser.ts'
import { startFakeOAuthProvider, type FakeOAuthProvider } from '../support/fake-oauth.ts'
import { options } from '../../core/db/schema.ts'

// Provider configuration through the admin API: secrets are write-only (sealed at rest, never in
// any response or log), a patch without a secret keeps the stored one, and a provider cannot be
// switched on half configured.

const SECRETS = {
  discord: 'discord-secret-do-not-leak-0001',
  linuxdo: 'linuxdo-secret-do-not-leak-0002',
  oidc: 'oidc-secret-do-not-leak-0003',
  telegram: '7011111111:AAtelegramTokenDoNotLeak0004',
}

for (const backend of testBackends) {
  describe(`sign-in settings (${backend.name})`, () => {
    let gateway: TestGateway
    let github: FakeOAuthProvider
    let allSecrets: string[]

    const patch = (body: unknown, token?: string) =>
      fetch(`${gateway.url}/api/auth/settings`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? gateway.context.config.rootAccessToken}` },
        body: JSON.stringify(body),
      })
    const storedRow = async () => JSON.stringify((await gateway.context.database.db.select().from(options).where(eq(options.key, 'sign-in')))[0]?.value ?? null)

    beforeAll(async () => {
      github = startFakeOAuthProvider('github')
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      allSecrets = [github.clientSecret, ...Object.values(SECRETS)]
    })
    afterAll(async () => {
      await gateway.stop()
      await github.stop()
    })

    test('defaults: registration closed, every provider off, production endpoints', async () => {
      const settings = await gateway.admin<Record<string, unknown> & Record<'github' | 'linuxdo' | 'oidc' | 'telegram', Record<string, unknown>>>(
        'GET',
        '/api/auth/settings',
      )
      expect(settings.registrationEnabled).toBe(false)
      expect(settings.allowOAuthRegistration).toBeNull()
      expect(settings.github).toMatchObject({
        enabled: false,
        clientId: '',
        clientSecretSet: false,
        authorizeUrl: 'https://github.com/login/oauth/authorize',
        tokenUrl: 'https://github.com/login/oauth/access_token',
        userInfoUrl: 'https://api.github.com/user',
      })
      expect(settings.github.callbackUrl).toBe(`${gateway.url}/api/auth/oauth/github/callback`)
      expect(settings.linuxdo).toMatchObject({ minimumTrustLevel: 0, userInfoUrl: 'https://connect.linux.do/api/user' })
      expect(settings.oidc).toMatchObject({ enabled: false, displayName: 'OpenID Connect', scopes: 'openid profile email', issuerUrl: '' })
      expect(settings.telegram).toEqual({ enabled: false, botName: '', botTokenSet: false })
    })

    test('a provider cannot be switched on without what it needs', async () => {
      const cases: Array<[unknown, string]> = [
        [{ github: { enabled: true } }, 'github.clientId'],
        [{ github: { enabled: true, clientId: 'abc' } }, 'github.clientSecret'],
        [{ oidc: { enabled: true, clientId: 'abc', clientSecret: 'x' } }, 'oidc.issuerUrl'],
        [{ telegram: { enabled: true, botName: 'some_bot' } }, 'telegram.botToken'],
        [{ github: { tokenUrl: 'ftp://example.com/token' } }, 'github.tokenUrl'],
        [{ telegram: { botToken: 'not a token' } }, 'telegram.botToken'],
        [{ oidc: { scopes: 'profile email' } }, 'oidc.scopes'],
        [{ linuxdo: { minimumTrustLevel: 5 } }, 'linuxdo.minimumTrustLevel'],
        [{ github: { clientSecrett: 'typo' } }, 'github.clientSecrett'],
      ]
      for (const [body, field] of cases) {
        const response = await patch(body)
        expect(response.status).toBe(400)
        expect(((await response.json()) as { error: { field: string } }).error.field).toBe(field)
      }
      expect((await gateway.admin<{ github: { enabled: boolean } }>('GET', '/api/auth/settings')).github.enabled).toBe(false)
    })

    test('only admins read or change the settings', async () => {
      await gateway.createUser({ username: 'settings-snoop', quota: 0 })
      const { accessToken } = (await (
        await fetch(`${gateway.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'settings-snoop', password: 'password-123' }),
        })
      ).json()) as { accessToken: string }
      expect((await fetch(`${gateway.url}/api/auth/settings`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(403)
      expect((await patch({ registrationEnabled: true }, accessToken)).status).toBe(403)
    })

    test('secrets are sealed at rest and appear in no admin response or log', async () => {
      const saved = await patch({
        publicUrl: 'https://gateway.example.com/',
        github: github.settings(),
        discord: { enabled: true, clientId: 'discord-id', clientSecret: SECRETS.discord },
        linuxdo: { enabled: true, clientId: 'linuxdo-id', clientSecret: SECRETS.linuxdo, minimumTrustLevel: 3 },
        oidc: { enabled: true, displayName: 'Corp', issuerUrl: 'https://sso.example.com', clientId: 'oidc-id', clientSecret: SECRETS.oidc },
        telegram: { enabled: true, botName: 'corp_login_bot', botToken: SECRETS.telegram },
      })
      expect(saved.status).toBe(200)
      const view = (await saved.json()) as Record<string, Record<string, unknown>>
      expect(view.github).toMatchObject({ enabled: true, clientSecretSet: true, clientId: github.clientId })
      expect(view.github!.callbackUrl).toBe('https://gateway.example.com/api/auth/oauth/github/callback')
      expect(view.telegram).toEqual({ enabled: true, botName: 'corp_login_bot', botTokenSet: true })

      const stored = await storedRow()
      for (const secret of allSecrets) expect(stored).not.toContain(secret)
      const sealed = [...stored.matchAll(/v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g)].map((match) => match[0])
      expect(sealed.length).toBe(5)

      // Every GET route of the admin API, as root, with ids of things that exist.
      const spec = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
      const userId = (await gateway.admin<{ items: Array<{ id: number }> }>('GET', '/api/users?role=root')).items[0]!.id
      const bodies: string[] = [JSON.stringify(view)]
      for (const [path, methods] of Object.entries(spec.paths)) {
        if (!path.startsWith('/api/') || !('get' in methods) || path.includes('/oauth/')) continue
        const response = await gateway.adminResponse('GET', path.replaceAll(/\{[^}]+\}/g, String(userId)))
        bodies.push(await response.text())
      }
      const logs = await gateway.logs()
      bodies.push(JSON.stringify(logs))
      bodies.push(await (await fetch(`${gateway.url}/api/status`)).text())
      const everything = bodies.join('\n')
      expect(bodies.length).toBeGreaterThan(20)
      for (const secret of [...allSecrets, ...sealed]) expect(everything).not.toContain(secret)
      expect(
        logs.some(
          (entry) =>
            entry.type === 'manage' && String(entry.content).includes('sign-in settings changed:') && String(entry.content).includes('github.clientSecret'),
        ),
      ).toBe(true)
    })

    test('a patch without the secret keeps the stored one; null removes it', async () => {
      await patch({ publicUrl: '' })
      const before = await storedRow()
      const renamed = await patch({ github: { clientId: github.clientId, authorizeUrl: github.settings().authorizeUrl } })
      expect(((await renamed.json()) as { github: { clientSecretSet: boolean } }).github.clientSecretSet).toBe(true)
      const sealedBefore = (JSON.parse(before) as { v: { github: { clientSecretSealed: string } } }).v.github.clientSecretSealed
      expect(sealedBefore).toStartWith('v1.')
      expect(await storedRow()).toContain(sealedBefore)
      // The kept secret still works at GitHub.
      github.user = { login: 'kept-secret', id: 31337, email: null }
      await patch({ allowOAuthRegistration: true })
      const browser = createBrowser()
      expect((await browser.follow(`${gateway.url}/api/auth/oauth/github/start`, gateway.url)).final).toBe('/')
      expect(github.tokenRequests.at(-1)!.form.client_secret).toBe(github.clientSecret)

      const refused = await patch({ github: { clientSecret: null } })
      expect(refused.status).toBe(400)
      const removed = await patch({ github: { enabled: false, clientSecret: null } })
      expect(((await removed.json()) as { github: { clientSecretSet: boolean } }).github.clientSecretSet).toBe(false)
      expect(await storedRow()).not.toContain(sealedBefore)
    })
  })
}
