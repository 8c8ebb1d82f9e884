import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Self-service registration (off by default) and password sign-in with the email address.

for (const backend of testBackends) {
  describe(`registration and email sign-in (${backend.name})`, () => {
    let gateway: TestGateway
    const register = (body: Record<string, unknown>) =>
      fetch(`${gateway.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const login = (username: string, password: string) =>
      fetch(`${gateway.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    const error = async (response: Response) => ((await response.json()) as { error: { code: string; field?: string } }).error

    beforeAll(async () => {
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { newUserQuota: 250_000 })
    })
    afterAll(async () => {
      await gateway.stop()
    })

    // First, while no sign-in attempt from this address has been counted yet.
    test('registration counts against the sign-in rate limit per address', async () => {
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 2 } })
      await gateway.admin('PATCH', '/api/auth/settings', { registrationEnabled: true })
      try {
        const statuses = []
        for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await register({ username: `burst-${attempt}`, password: 'password-123' })).status)
        expect(statuses).toEqual([201, 201, 429])
      } finally {
        await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
        await gateway.admin('PATCH', '/api/auth/settings', { registrationEnabled: false })
      }
    })

    test('registration is closed until an admin opens it', async () => {
      const status = (await (await fetch(`${gateway.url}/api/status`)).json()) as { registrationEnabled: boolean }
      expect(status.registrationEnabled).toBe(false)
      const refused = await register({ username: 'early-bird', password: 'password-123' })
      expect(refused.status).toBe(403)
      expect((await error(refused)).code).toBe('registration_closed')
      expect((await gateway.admin<{ total: number }>('GET', '/api/users?q=early-bird')).total).toBe(0)
    })

    test('an open registration creates a signed-in user with the new-user quota', async () => {
      await gateway.admin('PATCH', '/api/auth/settings', { registrationEnabled: true })
      const response = await register({
        username: 'newcomer',
        password: 'password-123',
        email: 'Newcomer@Example.com',
        displayName: 'New Comer',
        session: true,
      })
      expect(response.status).toBe(201)
      const body = (await response.json()) as { accessToken: string; user: { id: number; username: string; role: string } }
      expect(body.user).toMatchObject({ username: 'newcomer', role: 'user' })
      expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('hanggent_session='))).toBe(true)
      const me = (await (await fetch(`${gateway.url}/api/users/me`, { headers: { authorization: `Bearer ${body.accessToken}` } })).json()) as Record<
        string,
        unknown
      >
      expect(me).toMatchObject({ username: 'newcomer', email: 'Newcomer@Example.com', displayName: 'New Comer', quota: 250_000, role: 'user' })
      const logs = await gateway.logs({ type: 'manage' })
      expect(logs.some((entry) => entry.userId === body.user.id && String(entry.content).includes('"newcomer" registered'))).toBe(true)
    })

    test('usernames follow the user rules and are unique regardless of case; emails are unique', async () => {
      const badName = await register({ username: 'no spaces!', password: 'password-123' })
      expect(badName.status).toBe(400)
      expect((await error(badName)).field).toBe('username')
      const shortPassword = await register({ username: 'short-pass', password: 'short' })
      expect((await error(shortPassword)).field).toBe('password')
      const unknownField = await register({ username: 'sneaky', password: 'password-123', role: 'admin' })
      expect(unknownField.status).toBe(400)
      expect((await error(unknownField)).field).toBe('role')
      const sameName = await register({ username: 'NewComer', password: 'password-123' })
      expect(sameName.status).toBe(409)
      expect((await error(sameName)).field).toBe('username')
      const rootLookalike = await register({ username: 'ROOT', password: 'password-123' })
      expect(rootLookalike.status).toBe(409)
      const sameEmail = await register({ username: 'second-comer', password: 'password-123', email: 'newcomer@example.COM' })
      expect(sameEmail.status).toBe(409)
      expect((await error(sameEmail)).field).toBe('email')
    })

    test('the email address signs in like the username, in any case', async () => {
      const byEmail = await login('NEWCOMER@example.com', 'password-123')
      expect(byEmail.status).toBe(200)
      expect(((await byEmail.json()) as { user: { username: string } }).user.username).toBe('newcomer')
      expect((await login('newcomer@example.com', 'wrong-password')).status).toBe(401)
      expect((await login('nobody@example.com', 'password-123')).status).toBe(401)
    })

    test('an address cannot be shared, so signing in with it always names one account', async () => {
      await gateway.admin('POST', '/api/users', { username: 'twin-one', password: 'password-123', email: 'twins@example.com' })
      const second = await gateway.adminResponse('POST', '/api/users', { username: 'twin-two', password: 'password-123', email: 'Twins@Example.com' })
      expect(second.status).toBe(409)
      expect(((await second.json()) as { error: { field?: string } }).error.field).toBe('email')
      expect((await login('TWINS@example.com', 'password-123')).status).toBe(200)
      expect((await login('twin-two', 'password-123')).status).toBe(401)
    })
  })
}
