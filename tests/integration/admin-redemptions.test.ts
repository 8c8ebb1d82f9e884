import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Redemption codes: batches created by admins, each redeemed exactly once.

interface Created {
  items: Array<{ id: number; code: string; codePreview: string; quota: number; status: string }>
}

for (const backend of testBackends) {
  describe(`redemption codes (${backend.name})`, () => {
    let gateway: TestGateway
    let userToken: string
    let otherToken: string
    let userId: number

    async function signIn(username: string): Promise<string> {
      const response = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'password-123' }),
      })
      return ((await response.json()) as { accessToken: string }).accessToken
    }
    const redeem = (bearer: string, code: string) =>
      fetch(`${gateway.url}/api/redemptions/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      })

    beforeAll(async () => {
      gateway = await startGateway(backend)
      // The concurrency test makes 20 attempts from one address; the default guard is 10 per minute.
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      userId = await gateway.createUser({ username: 'redeemer', quota: 100 })
      await gateway.createUser({ username: 'other-redeemer', quota: 0 })
      userToken = await signIn('redeemer')
      otherToken = await signIn('other-redeemer')
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('a batch returns each code once; lists show only previews', async () => {
      const created = await gateway.admin<Created>('POST', '/api/redemptions', { name: 'welcome', quota: 1000, count: 3 })
      expect(created.items.length).toBe(3)
      expect(new Set(created.items.map((item) => item.code)).size).toBe(3)
      for (const item of created.items) expect(item.code).toMatch(/^[A-Za-z0-9]{32}$/)
      const listed = JSON.stringify(await gateway.admin('GET', '/api/redemptions?q=welcome'))
      for (const item of created.items) expect(listed).not.toContain(item.code)
      expect(listed).toContain(created.items[0]!.codePreview)
    })

    test('a code adds its quota once; the second use and other users are refused', async () => {
      const {
        items: [code],
      } = await gateway.admin<Created>('POST', '/api/redemptions', { name: 'once', quota: 2500 })
      const first = await redeem(userToken, code!.code)
      expect(first.status).toBe(200)
      expect(await first.json()).toEqual({ quota: 2500, balance: 2600 })
      expect((await gateway.balance(userId)).quota).toBe(2600)
      expect((await redeem(userToken, code!.code)).status).toBe(400)
      expect((await redeem(otherToken, code!.code)).status).toBe(400)
      expect((await gateway.balance(userId)).quota).toBe(2600)
      const logs = await gateway.logs({ type: 'topup' })
      expect(logs.some((entry) => entry.userId === userId && entry.quota === 2500)).toBe(true)
    })

    test('20 concurrent attempts on one code: exactly one succeeds', async () => {
      const {
        items: [code],
      } = await gateway.admin<Created>('POST', '/api/redemptions', { name: 'race', quota: 700 })
      const before = (await gateway.balance(userId)).quota
      const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await redeem(userToken, code!.code)).status))
      expect(statuses.filter((status) => status === 200).length).toBe(1)
      expect(statuses.filter((status) => status === 400).length).toBe(19)
      expect((await gateway.balance(userId)).quota).toBe(before + 700)
    })

    test('expired and disabled codes are refused; a re-enabled one works', async () => {
      const {
        items: [expired],
      } = await gateway.admin<Created>('POST', '/api/redemptions', { name: 'old', quota: 10, expiresAt: '2020-01-01T00:00:00Z' })
      expect((await redeem(userToken, expired!.code)).status).toBe(400)
      const {
        items: [paused],
      } = await gateway.admin<Created>('POST', '/api/redemptions', { name: 'paused', quota: 10 })
      await gateway.admin('PATCH', `/api/redemptions/${paused!.id}`, { status: 'disabled' })
      expect((await redeem(userToken, paused!.code)).status).toBe(400)
      await gateway.admin('PATCH', `/api/redemptions/${paused!.id}`, { status: 'unused' })
      expect((await redeem(userToken, paused!.code)).status).toBe(200)
      expect((await gateway.adminResponse('PATCH', `/api/redemptions/${paused!.id}`, { status: 'disabled' })).status).toBe(409)
    })

    test('only admins create codes; redeeming needs a signed-in user', async () => {
      const asUser = await fetch(`${gateway.url}/api/redemptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', quota: 1 }),
      })
      expect(asUser.status).toBe(403)
      const anonymous = await fetch(`${gateway.url}/api/redemptions/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'abc' }),
      })
      expect(anonymous.status).toBe(401)
      expect((await gateway.adminResponse('POST', '/api/redemptions', { name: 'x', quota: 0 })).status).toBe(400)
      expect((await gateway.adminResponse('POST', '/api/redemptions', { name: 'x', quota: 5, count: 5000 })).status).toBe(400)
    })

    test('guessing codes is rate limited like signing in', async () => {
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 2 } })
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await redeem(otherToken, `guess-${i}`)).status)
      expect(statuses.at(-1)).toBe(429)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
    })
  })
}
