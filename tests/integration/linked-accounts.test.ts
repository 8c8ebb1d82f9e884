import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash, createHmac } from 'node:crypto'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { createBrowser } from '../support/browser.ts'
import { startFakeOAuthProvider, type FakeOAuthProvider } from '../support/fake-oauth.ts'

// Linked sign-in identities: each user sees and unlinks their own, never the last way in of an
// account without a password; admins read anyone's.

const BOT_TOKEN = '7099999999:AAFakeBotTokenForLinkedAccountsTests'

for (const backend of testBackends) {
  describe(`linked accounts (${backend.name})`, () => {
    let gateway: TestGateway
    let github: FakeOAuthProvider
    let answers = 0

    const telegramData = (id: number, username: string) => {
      const data: Record<string, string | number> = { id, first_name: username, username, auth_date: Math.floor(Date.now() / 1000) - 10 * ++answers }
      const lines = Object.keys(data)
        .sort()
        .map((key) => `${key}=${data[key]}`)
        .join('\n')
      return { ...data, hash: createHmac('sha256', createHash('sha256').update(BOT_TOKEN).digest()).update(lines).digest('hex') }
    }
    /** Registers a password-less user through Telegram and returns its bearer token and id. */
    const telegramUser = async (id: number, username: string) => {
      const response = await fetch(`${gateway.url}/api/auth/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(telegramData(id, username)),
      })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { accessToken: string; user: { id: number } }
      return { token: body.accessToken, id: body.user.id }
    }
    const call = (method: string, path: string, token: string) => fetch(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } })
    const listMine = async (token: string) =>
      (await (await call('GET', '/api/users/me/oauth-accounts', token)).json()) as Array<{ id: number; provider: string }>

    beforeAll(async () => {
      github = startFakeOAuthProvider('github')
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      await gateway.admin('PATCH', '/api/auth/settings', {
        allowOAuthRegistration: true,
        github: github.settings(),
        telegram: { enabled: true, botName: 'linked_accounts_bot', botToken: BOT_TOKEN },
      })
    })
    afterAll(async () => {
      await gateway.stop()
      await github.stop()
    })

    test('the last way into an account without a password cannot be unlinked', async () => {
      const { token } = await telegramUser(4242, 'only-telegram')
      const [account] = await listMine(token)
      expect(account).toMatchObject({ provider: 'telegram', subject: '4242', login: 'only-telegram' })
      const refused = await call('DELETE', `/api/users/me/oauth-accounts/${account!.id}`, token)
      expect(refused.status).toBe(409)
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('only way to sign in')
      expect(await listMine(token)).toHaveLength(1)
    })

    test('with a second identity linked, either can go; the unlink is audited', async () => {
      const { token, id } = await telegramUser(4343, 'two-ways')
      // Link GitHub from a browser session of the same user (the session cookie comes from the two-factor-free Telegram sign-in).
      const browser = createBrowser()
      const signIn = await browser.request(`${gateway.url}/api/auth/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(telegramData(4343, 'two-ways')),
      })
      expect(signIn.status).toBe(200)
      github.user = { login: 'two-ways-gh', id: 434343, email: null }
      expect((await browser.follow(`${gateway.url}/api/auth/oauth/github/start?link=1`, gateway.url)).final).toBe('/')
      const linked = await listMine(token)
      expect(linked.map((entry) => entry.provider)).toEqual(['telegram', 'github'])
      const removed = await call('DELETE', `/api/users/me/oauth-accounts/${linked[0]!.id}`, token)
      expect(removed.status).toBe(204)
      expect((await listMine(token)).map((entry) => entry.provider)).toEqual(['github'])
      expect((await call('DELETE', `/api/users/me/oauth-accounts/${linked[1]!.id}`, token)).status).toBe(409)
      const logs = await gateway.logs({ type: 'manage' })
      expect(logs.some((entry) => entry.userId === id && String(entry.content) === 'Telegram account "two-ways" unlinked')).toBe(true)
      // The unlinked Telegram account no longer signs into this user: it registers a new one.
      const again = await fetch(`${gateway.url}/api/auth/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(telegramData(4343, 'two-ways')),
      })
      const body = (await again.json()) as { created: boolean; user: { id: number } }
      expect(body.created).toBe(true)
      expect(body.user.id).not.toBe(id)
    })

    test('a user with a password may unlink everything', async () => {
      const userId = await gateway.createUser({ username: 'has-password', quota: 0 })
      const { accessToken } = (await (
        await fetch(`${gateway.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'has-password', password: 'password-123' }),
        })
      ).json()) as { accessToken: string }
      const link = await fetch(`${gateway.url}/api/auth/telegram?link=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(telegramData(4444, 'pw-user')),
      })
      expect(link.status).toBe(200)
      const [account] = await listMine(accessToken)
      expect((await call('DELETE', `/api/users/me/oauth-accounts/${account!.id}`, accessToken)).status).toBe(204)
      expect(await gateway.admin<unknown[]>('GET', `/api/users/${userId}/oauth-accounts`)).toEqual([])
    })

    test("nobody unlinks or reads another user's identities", async () => {
      const owner = await telegramUser(4545, 'owner')
      const other = await telegramUser(4646, 'other')
      const [account] = await listMine(owner.token)
      expect((await call('DELETE', `/api/users/me/oauth-accounts/${account!.id}`, other.token)).status).toBe(404)
      expect((await call('GET', `/api/users/${owner.id}/oauth-accounts`, other.token)).status).toBe(403)
      const asAdmin = await gateway.admin<Array<{ id: number; provider: string; providerName: string }>>('GET', `/api/users/${owner.id}/oauth-accounts`)
      expect(asAdmin).toEqual([expect.objectContaining({ id: account!.id, provider: 'telegram', providerName: 'Telegram' })])
      expect((await gateway.adminResponse('GET', '/api/users/999999/oauth-accounts')).status).toBe(404)
    })
  })
}
