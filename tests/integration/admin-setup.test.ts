import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// First-run setup: the printed root password is traded once for a chosen username, password and
// site name, and the caller is signed in as root exactly as a password sign-in with a session would.

interface Status {
  setupRequired: boolean
  siteName: string
  selfUseMode: boolean
}
interface Signed {
  accessToken: string
  user: { username: string; role: string }
}
interface Failure {
  error: { code: string; field?: string }
}

const post = (gateway: TestGateway, path: string, body: unknown) =>
  fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const status = async (gateway: TestGateway) => (await (await fetch(`${gateway.url}/api/status`)).json()) as Status
const me = (gateway: TestGateway, headers: Record<string, string>) => fetch(`${gateway.url}/api/users/me`, { headers })

for (const backend of testBackends) {
  describe(`first-run setup (${backend.name})`, () => {
    let fresh: TestGateway
    let bootstrap: string

    beforeAll(async () => {
      fresh = await startGateway(backend, { rootPassword: undefined })
      bootstrap = fresh.generatedRootPassword ?? ''
      expect(bootstrap.length).toBe(20)
    })
    afterAll(async () => {
      await fresh.stop()
    })

    test('a fresh install says setup is required, with the default site name', async () => {
      expect(await status(fresh)).toMatchObject({ setupRequired: true, siteName: 'Hanggent API', selfUseMode: false })
    })

    test('bad input is 400 naming the field; the printed password cannot be kept', async () => {
      const short = await post(fresh, '/api/setup', { bootstrapPassword: bootstrap, password: 'short' })
      expect(short.status).toBe(400)
      expect(((await short.json()) as Failure).error.field).toBe('password')
      const same = await post(fresh, '/api/setup', { bootstrapPassword: bootstrap, password: bootstrap })
      expect(same.status).toBe(400)
      expect(((await same.json()) as Failure).error.field).toBe('password')
      expect((await status(fresh)).setupRequired).toBe(true)
    })

    test('the printed password sets root up once and signs in as root with a session cookie; afterwards 409', async () => {
      const early = (await (await post(fresh, '/api/auth/login', { username: 'root', password: bootstrap })).json()) as Signed
      const response = await post(fresh, '/api/setup', {
        bootstrapPassword: bootstrap,
        username: 'owner',
        password: 'a-new-password-1',
        siteName: 'Acme AI',
        selfUseMode: true,
      })
      expect(response.status).toBe(200)
      const signed = (await response.json()) as Signed
      expect(signed.user).toMatchObject({ username: 'owner', role: 'root' })
      const cookies = response.headers.getSetCookie()
      expect(cookies.some((cookie) => cookie.startsWith('hanggent_session=') && cookie.includes('HttpOnly'))).toBe(true)
      expect(cookies.some((cookie) => cookie.startsWith('hanggent_csrf='))).toBe(true)
      const cookieHeader = cookies.map((cookie) => cookie.split(';')[0]).join('; ')
      expect(((await (await me(fresh, { cookie: cookieHeader })).json()) as { username: string }).username).toBe('owner')
      expect((await me(fresh, { authorization: `Bearer ${signed.accessToken}` })).status).toBe(200)
      // The session opened with the printed password ended with it.
      expect((await me(fresh, { authorization: `Bearer ${early.accessToken}` })).status).toBe(401)
      expect(await status(fresh)).toMatchObject({ setupRequired: false, siteName: 'Acme AI', selfUseMode: true })
      expect((await post(fresh, '/api/auth/login', { username: 'owner', password: bootstrap })).status).toBe(401)
      expect((await post(fresh, '/api/auth/login', { username: 'owner', password: 'a-new-password-1' })).status).toBe(200)
      const again = await post(fresh, '/api/setup', { bootstrapPassword: bootstrap, password: 'another-password-2' })
      expect(again.status).toBe(409)
      expect(((await again.json()) as Failure).error.code).toBe('conflict')
      const audit = await fresh.logs({ type: 'manage' })
      expect(audit.some((entry) => String(entry.content).startsWith('first-run setup: root password replaced, username root → owner'))).toBe(true)
      const logins = await fresh.logs({ type: 'login' })
      expect(logins.some((entry) => entry.content === 'signed in with first-run setup (session cookie)')).toBe(true)
    })
  })

  describe(`first-run setup guards (${backend.name})`, () => {
    let gateway: TestGateway

    beforeAll(async () => {
      gateway = await startGateway(backend, { rootPassword: undefined })
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('wrong bootstrap passwords are 403 and count toward the sign-in lockout of root', async () => {
      const wrong = await post(gateway, '/api/setup', { bootstrapPassword: 'not-the-printed-one', password: 'a-new-password-1' })
      expect(wrong.status).toBe(403)
      expect(((await wrong.json()) as Failure).error).toMatchObject({ code: 'forbidden', field: 'bootstrapPassword' })
      for (let attempt = 0; attempt < 3; attempt++)
        expect((await post(gateway, '/api/setup', { bootstrapPassword: `guess-${attempt}`, password: 'a-new-password-1' })).status).toBe(403)
      expect((await post(gateway, '/api/auth/login', { username: 'root', password: 'a-wrong-password' })).status).toBe(401)
      // Five failures: the right password no longer helps, on either door.
      const locked = await post(gateway, '/api/setup', { bootstrapPassword: gateway.generatedRootPassword, password: 'a-new-password-1' })
      expect(locked.status).toBe(429)
      expect((await post(gateway, '/api/auth/login', { username: 'root', password: gateway.generatedRootPassword })).status).toBe(429)
      expect((await status(gateway)).setupRequired).toBe(true)
    })
  })

  describe(`first-run setup when ROOT_PASSWORD was set (${backend.name})`, () => {
    let gateway: TestGateway

    beforeAll(async () => {
      gateway = await startGateway(backend)
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('no setup is required, the route answers 409, and it is rate limited like sign-in', async () => {
      expect((await status(gateway)).setupRequired).toBe(false)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 2 } })
      const statuses: number[] = []
      for (let attempt = 0; attempt < 3; attempt++)
        statuses.push((await post(gateway, '/api/setup', { bootstrapPassword: 'root-password-123', password: 'a-new-password-1' })).status)
      expect(statuses).toEqual([409, 409, 429])
      expect((await post(gateway, '/api/auth/login', { username: 'root', password: 'root-password-123' })).status).toBe(429)
    })
  })
}
