import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { count, eq } from 'drizzle-orm'
import { apiRoutes } from '../../core/api-routes.ts'
import { ensureRootUser } from '../../core/bootstrap.ts'
import { accessTokens, users } from '../../core/db/schema.ts'
import { sha256Hex } from '../../core/security/crypto.ts'
import type { AppContext } from '../../core/app-context.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { UserView } from '../../schemas/admin/users.ts'
import { closeContext, createTestContext, testBackends } from '../support/context.ts'

type App = ReturnType<typeof adminApp>
interface Answer<T> {
  status: number
  text: string
  body: T
}
interface Login {
  accessToken: string
  expiresAt: string
  user: { id: number; username: string; role: string; group: string }
}

function adminApp(context: AppContext) {
  return new Elysia().use(apiRoutes(context))
}

/** Calls the admin API in-process as the holder of `token` (none when undefined). */
async function call<T>(app: App, token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await app.handle(new Request(`http://local${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }))
  const text = await response.text()
  return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T }
}

for (const backend of testBackends) {
  describe(`admin auth (${backend.name})`, () => {
    let context: AppContext
    let app: App
    let root: string

    beforeAll(async () => {
      context = await createTestContext(backend)
      await ensureRootUser(context)
      app = adminApp(context)
      root = context.config.rootAccessToken!
    })
    afterAll(async () => {
      await closeContext(context)
    })

    async function createUser(username: string, password: string, role: 'user' | 'admin' = 'user'): Promise<UserView> {
      const answer = await call<UserView>(app, root, 'POST', '/api/users', { username, password, role })
      expect(answer.status).toBe(201)
      return answer.body
    }

    test('ensureRootUser is idempotent and root signs in with ROOT_PASSWORD', async () => {
      expect(await ensureRootUser(context)).toEqual({ created: false })
      const [roots] = await context.database.db.select({ value: count() }).from(users).where(eq(users.role, 'root'))
      expect(roots?.value).toBe(1)
      const [row] = await context.database.db.select().from(users).where(eq(users.username, 'root'))
      expect(row?.passwordHash?.startsWith('$argon2id$')).toBe(true)
      expect(row?.quota).toBe(500_000_000_000)
      const login = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'root', password: 'root-password-123' })
      expect(login.status).toBe(200)
      expect(login.body.user).toEqual({ id: row!.id, username: 'root', role: 'root', group: 'default' })
    })

    test('login returns a hashed-at-rest access token that expires in 7 days and works as a bearer token', async () => {
      const user = await createUser('alice', 'alice-password-1')
      const before = Date.now()
      const login = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'alice', password: 'alice-password-1' })
      expect(login.status).toBe(200)
      expect(login.body.accessToken).toMatch(/^hat_[A-Za-z0-9]{40}$/)
      expect(login.body.user).toEqual({ id: user.id, username: 'alice', role: 'user', group: 'default' })
      const lifetime = new Date(login.body.expiresAt).getTime() - before
      expect(lifetime).toBeGreaterThan(7 * 86_400_000 - 60_000)
      expect(lifetime).toBeLessThan(7 * 86_400_000 + 60_000)
      const stored = await context.database.db.select().from(accessTokens).where(eq(accessTokens.userId, user.id))
      expect(stored).toHaveLength(1)
      expect(stored[0]!.tokenHash).toBe(sha256Hex(login.body.accessToken))
      expect(stored[0]!.name).toBe('login')
      const me = await call<UserView>(app, login.body.accessToken, 'GET', '/api/users/me')
      expect(me.status).toBe(200)
      expect(me.body.username).toBe('alice')
      expect(me.text).not.toContain('passwordHash')
      expect(me.text).not.toContain('$argon2')
    })

    test('a wrong password and an unknown user get the same generic 401', async () => {
      await createUser('bruno', 'bruno-password-1')
      const wrongPassword = await call<AdminError>(app, undefined, 'POST', '/api/auth/login', { username: 'bruno', password: 'not-his-password' })
      const unknownUser = await call<AdminError>(app, undefined, 'POST', '/api/auth/login', { username: 'nobody-here', password: 'bruno-password-1' })
      expect(wrongPassword.status).toBe(401)
      expect(unknownUser.status).toBe(401)
      expect(wrongPassword.body.error.code).toBe('unauthorized')
      expect(wrongPassword.body).toEqual(unknownUser.body)
      expect(wrongPassword.body.error.message).not.toMatch(/password is wrong|no such user|not found/i)
    })

    test('a disabled user cannot sign in (403) and their existing token stops working at once', async () => {
      const user = await createUser('carol', 'carol-password-1')
      const login = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'carol', password: 'carol-password-1' })
      expect((await call(app, login.body.accessToken, 'GET', '/api/users/me')).status).toBe(200)
      expect((await call(app, root, 'PATCH', `/api/users/${user.id}`, { status: 'disabled' })).status).toBe(200)
      expect((await call(app, login.body.accessToken, 'GET', '/api/users/me')).status).toBe(401)
      const again = await call<AdminError>(app, undefined, 'POST', '/api/auth/login', { username: 'carol', password: 'carol-password-1' })
      expect(again.status).toBe(403)
      expect(again.body.error.code).toBe('forbidden')
      expect((await call(app, root, 'PATCH', `/api/users/${user.id}`, { status: 'enabled' })).status).toBe(200)
      expect((await call(app, login.body.accessToken, 'GET', '/api/users/me')).status).toBe(200)
    })

    test('missing, malformed, unknown and expired bearer tokens get 401; a plain user gets 403 on admin routes', async () => {
      const none = await call<AdminError>(app, undefined, 'GET', '/api/users')
      expect(none.status).toBe(401)
      expect(none.body.error.code).toBe('unauthorized')
      expect((await call(app, 'hat_not-a-real-token', 'GET', '/api/users')).status).toBe(401)
      const basic = await app.handle(new Request('http://local/api/users', { headers: { authorization: `Basic ${btoa('root:root-password-123')}` } }))
      expect(basic.status).toBe(401)
      const user = await createUser('dave', 'dave-password-1')
      const expired = 'hat_expired-token-for-dave-000000000000'
      await context.database.db
        .insert(accessTokens)
        .values({ userId: user.id, name: 'old', tokenHash: sha256Hex(expired), expiresAt: new Date(Date.now() - 1000) })
      expect((await call(app, expired, 'GET', '/api/users/me')).status).toBe(401)
      const login = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'dave', password: 'dave-password-1' })
      const forbidden = await call<AdminError>(app, login.body.accessToken, 'GET', '/api/users')
      expect(forbidden.status).toBe(403)
      expect(forbidden.body.error.code).toBe('forbidden')
      expect((await call(app, login.body.accessToken, 'GET', '/api/channels')).status).toBe(403)
      expect((await call(app, login.body.accessToken, 'GET', '/api/options')).status).toBe(403)
    })

    test('logout revokes the token it was called with, and a new password revokes every session', async () => {
      await createUser('erin', 'erin-password-1')
      const first = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'erin', password: 'erin-password-1' })
      const second = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'erin', password: 'erin-password-1' })
      expect((await call(app, first.body.accessToken, 'POST', '/api/auth/logout')).status).toBe(204)
      expect((await call(app, first.body.accessToken, 'GET', '/api/users/me')).status).toBe(401)
      const me = await call<UserView>(app, second.body.accessToken, 'GET', '/api/users/me')
      expect(me.status).toBe(200)
      expect((await call(app, root, 'PATCH', `/api/users/${me.body.id}`, { password: 'erin-new-password' })).status).toBe(200)
      expect((await call(app, second.body.accessToken, 'GET', '/api/users/me')).status).toBe(401)
      expect((await call(app, undefined, 'POST', '/api/auth/login', { username: 'erin', password: 'erin-password-1' })).status).toBe(401)
      expect((await call(app, undefined, 'POST', '/api/auth/login', { username: 'erin', password: 'erin-new-password' })).status).toBe(200)
    })

    test('every route declares its role and OpenAPI id, and every non-public route refuses strangers', async () => {
      const routes = app.routes.filter((route) => route.path.startsWith('/api/') && route.path !== '/api/*')
      expect(routes.length).toBeGreaterThanOrEqual(18)
      const operationIds = new Set<string>()
      for (const route of routes) {
        const detail = (route.hooks as { detail?: Record<string, unknown> }).detail ?? {}
        const role = detail['x-required-role']
        expect(['public', 'user', 'admin', 'root']).toContain(role as string)
        expect(typeof detail.operationId).toBe('string')
        operationIds.add(detail.operationId as string)
        if (role === 'public') continue
        expect(detail.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }])
        const path = route.path.replace(':id', '1')
        const answer = await call<AdminError>(app, undefined, route.method, path, ['POST', 'PATCH'].includes(route.method) ? {} : undefined)
        expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 })
      }
      expect(operationIds.size).toBe(routes.length)
      const roles = Object.fromEntries(
        routes.map((route) => [`${route.method} ${route.path}`, (route.hooks as { detail: Record<string, unknown> }).detail['x-required-role']]),
      )
      expect(roles).toMatchObject({
        'POST /api/auth/login': 'public',
        'GET /api/users/me': 'user',
        'GET /api/users': 'admin',
        'POST /api/channels': 'admin',
        'POST /api/tokens': 'user',
        'GET /api/logs': 'user',
        'PATCH /api/options': 'admin',
        'GET /api/channel-types': 'admin',
      })
    })
  })
}

describe('first boot without ROOT_PASSWORD', () => {
  test('generates a 20-character password once, which signs in', async () => {
    const backend = testBackends[0]!
    const context = await createTestContext(backend, { rootPassword: undefined })
    try {
      const first = await ensureRootUser(context)
      expect(first.created).toBe(true)
      expect(first.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/)
      // Found again (another replica, a restart): not created here, still awaiting setup, password not repeated.
      expect(await ensureRootUser(context)).toEqual({ created: false, awaitingSetupSince: expect.any(Date) })
      const app = adminApp(context)
      const login = await call<Login>(app, undefined, 'POST', '/api/auth/login', { username: 'root', password: first.generatedPassword })
      expect(login.status).toBe(200)
      expect(login.body.user.role).toBe('root')
    } finally {
      await closeContext(context)
    }
  })
})
