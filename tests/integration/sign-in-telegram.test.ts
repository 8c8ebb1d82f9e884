import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash, createHmac } from 'node:crypto'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { createBrowser } from '../support/browser.ts'

// Telegram Login: the page posts the widget's data, signed by Telegram with the bot token
// (HMAC-SHA256 keyed by SHA-256 of the token, over the sorted key=value lines). The test signs data
// the way Telegram does, independently of the gateway's code.
// see https://core.telegram.org/widgets/login#checking-authorization

const BOT_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0'

type WidgetData = Record<string, string | number>

function signed(data: WidgetData, token = BOT_TOKEN): WidgetData {
  const lines = Object.keys(data)
    .sort()
    .map((key) => `${key}=${data[key]}`)
    .join('\n')
  const hash = createHmac('sha256', createHash('sha256').update(token).digest()).update(lines).digest('hex')
  return { ...data, hash }
}

for (const backend of testBackends) {
  describe(`Telegram sign-in (${backend.name})`, () => {
    let gateway: TestGateway
    const now = () => Math.floor(Date.now() / 1000)
    // Each widget answer gets its own auth_date, so no two posts carry the same (single-use) signed data.
    let answers = 0
    const authDate = () => now() - 10 * ++answers
    const post = (body: unknown, init: { query?: string; headers?: Record<string, string> } = {}) =>
      fetch(`${gateway.url}/api/auth/telegram${init.query ?? ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: JSON.stringify(body),
      })
    const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error

    beforeAll(async () => {
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      await gateway.admin('PATCH', '/api/auth/settings', {
        allowOAuthRegistration: true,
        telegram: { enabled: true, botName: 'hanggent_login_bot', botToken: BOT_TOKEN },
      })
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test("the login page gets the widget's bot name, never the token", async () => {
      const text = await (await fetch(`${gateway.url}/api/status`)).text()
      expect(JSON.parse(text).signInProviders).toEqual([{ id: 'telegram', name: 'Telegram', kind: 'telegram', botName: 'hanggent_login_bot' }])
      expect(text).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0')
    })

    test('genuine widget data registers and signs in; the same account signs in again later', async () => {
      const data = signed({
        id: 93372553,
        first_name: 'Pavel',
        last_name: 'D',
        username: 'pavel_t',
        photo_url: 'https://t.me/i/userpic/320/pavel.jpg',
        auth_date: authDate(),
      })
      const response = await post(data)
      expect(response.status).toBe(200)
      const body = (await response.json()) as { outcome: string; created: boolean; accessToken: string; user: { id: number; username: string } }
      expect(body).toMatchObject({ outcome: 'signed-in', created: true, user: { username: 'pavel_t' } })
      expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('hanggent_session='))).toBe(true)
      const meResponse = await fetch(`${gateway.url}/api/users/me`, { headers: { authorization: `Bearer ${body.accessToken}` } })
      expect(((await meResponse.json()) as { displayName: string }).displayName).toBe('Pavel D')
      const again = await post(signed({ id: 93372553, first_name: 'Pavel', username: 'pavel_t', auth_date: authDate() }))
      expect(again.status).toBe(200)
      expect((await again.json()) as { created: boolean; user: { id: number } }).toMatchObject({ created: false, user: { id: body.user.id } })
    })

    test("a tampered field, another bot's token and day-old data are refused", async () => {
      const genuine = signed({ id: 5550001, first_name: 'Eve', username: 'eve', auth_date: authDate() })
      const tampered = await post({ ...genuine, id: 5550002 })
      expect(tampered.status).toBe(401)
      expect((await errorCode(tampered)).message).toContain("not signed by this site's bot")
      const otherBot = await post(signed({ id: 5550003, first_name: 'Eve', auth_date: authDate() }, '7000000000:AAAnotherBotTokenAAAAAAAAAAAAAAAAAA'))
      expect(otherBot.status).toBe(401)
      const stale = await post(signed({ id: 5550004, first_name: 'Eve', auth_date: now() - 86_400 - 60 }))
      expect(stale.status).toBe(401)
      expect((await errorCode(stale)).message).toContain('more than a day old')
      const users = await gateway.admin<{ total: number }>('GET', '/api/users?q=eve')
      expect(users.total).toBe(0)
    })

    test('the same signed data is accepted only once', async () => {
      const data = signed({ id: 777001, first_name: 'Once', username: 'once_only', auth_date: authDate() })
      expect((await post(data)).status).toBe(200)
      const replay = await post(data)
      expect(replay.status).toBe(401)
      expect((await errorCode(replay)).message).toContain('already used')
    })

    test('a signed-in user links Telegram with ?link=1; another user cannot link the same account', async () => {
      const userId = await gateway.createUser({ username: 'telegram-linker', quota: 0 })
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'telegram-linker', password: 'password-123' }),
      })
      const { accessToken } = (await login.json()) as { accessToken: string }
      const linked = await post(signed({ id: 888001, first_name: 'Linker', username: 'tg_linker', auth_date: authDate() }), {
        query: '?link=1&redirect=/profile',
        headers: { authorization: `Bearer ${accessToken}` },
      })
      expect(linked.status).toBe(200)
      expect(await linked.json()).toMatchObject({
        outcome: 'linked',
        redirect: '/profile',
        account: { provider: 'telegram', subject: '888001', login: 'tg_linker', providerName: 'Telegram' },
      })
      const signIn = await post(signed({ id: 888001, first_name: 'Linker', auth_date: authDate() }))
      expect(((await signIn.json()) as { user: { id: number } }).user.id).toBe(userId)

      await gateway.createUser({ username: 'telegram-other', quota: 0 })
      const other = (await (
        await fetch(`${gateway.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'telegram-other', password: 'password-123' }),
        })
      ).json()) as { accessToken: string }
      const taken = await post(signed({ id: 888001, first_name: 'Linker', auth_date: authDate() }), {
        query: '?link=1',
        headers: { authorization: `Bearer ${other.accessToken}` },
      })
      expect(taken.status).toBe(409)
      expect((await errorCode(taken)).code).toBe('identity_taken')
      expect((await post(signed({ id: 888002, first_name: 'X', auth_date: authDate() }), { query: '?link=1' })).status).toBe(401)
    })

    test('a user with two-factor sign-in on gets a pending sign-in, not a session', async () => {
      const { totpCode } = await import('../../core/security/totp.ts')
      await gateway.createUser({ username: 'telegram-careful', quota: 0 })
      const browser = createBrowser()
      await browser.request(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'telegram-careful', password: 'password-123', session: true }),
      })
      const csrf = { 'content-type': 'application/json', 'x-csrf-token': browser.cookie(`${gateway.url}/api/`, 'hanggent_csrf')! }
      const { secret } = (await (
        await browser.request(`${gateway.url}/api/users/me/two-factor/setup`, { method: 'POST', headers: csrf, body: '{}' })
      ).json()) as { secret: string }
      await browser.request(`${gateway.url}/api/users/me/two-factor/enable`, {
        method: 'POST',
        headers: csrf,
        body: JSON.stringify({ code: totpCode(secret, new Date()) }),
      })
      const link = await browser.request(`${gateway.url}/api/auth/telegram?link=1`, {
        method: 'POST',
        headers: csrf,
        body: JSON.stringify(signed({ id: 999001, first_name: 'Careful', auth_date: authDate() })),
      })
      expect(link.status).toBe(200)

      const fresh = createBrowser()
      const pending = await fresh.request(`${gateway.url}/api/auth/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(signed({ id: 999001, first_name: 'Careful', auth_date: authDate() })),
      })
      expect(pending.status).toBe(401)
      expect((await errorCode(pending)).code).toBe('totp_required')
      expect(fresh.names()).toEqual(['hanggent_pending_login'])
      const done = await fresh.request(`${gateway.url}/api/auth/login/two-factor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: totpCode(secret, new Date(Date.now() + 30_000)) }),
      })
      expect(done.status).toBe(200)
      expect(fresh.names()).toContain('hanggent_session')
    })

    test('with Telegram switched off the route answers 404', async () => {
      await gateway.admin('PATCH', '/api/auth/settings', { telegram: { enabled: false } })
      const response = await post(signed({ id: 1, first_name: 'Off', auth_date: authDate() }))
      expect(response.status).toBe(404)
      expect((await errorCode(response)).code).toBe('provider_disabled')
      await gateway.admin('PATCH', '/api/auth/settings', { telegram: { enabled: true } })
    })
  })
}
