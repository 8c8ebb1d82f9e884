import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { accessTokens, logs, tokens, users } from '../../core/db/schema.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { UserView } from '../../schemas/admin/users.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Deleting users, admin password resets, and what users may change about themselves.

interface Answer<T> {
  status: number
  headers: Headers
  body: T
}

for (const backend of testBackends) {
  describe(`user lifecycle (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let rootId: number

    async function send<T>(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
      if (token) headers.authorization = `Bearer ${token}`
      const response = await fetch(`${gateway.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T }
    }
    const login = (username: string, password: string) =>
      send<{ accessToken: string } & AdminError>(undefined, 'POST', '/api/auth/login', { username, password })
    async function newUser(username: string, role: 'user' | 'admin' = 'user'): Promise<{ id: number; token: string }> {
      const created = await gateway.admin<UserView>('POST', '/api/users', { username, password: 'password-123', role, quota: 10_000_000 })
      return { id: created.id, token: (await login(username, 'password-123')).body.accessToken }
    }
    const root = () => gateway.context.config.rootAccessToken!

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-upstream-000000', baseUrl: fake.url, models: ['gpt-4o-mini'] })
      rootId = (await gateway.admin<{ items: UserView[] }>('GET', '/api/users?role=root')).items[0]!.id
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })

    test('UserView shows whether a password change is due and whether two-factor sign-in is on', async () => {
      const fresh = await newUser('viewer')
      const me = await send<UserView>(fresh.token, 'GET', '/api/users/me')
      expect(me.body).toMatchObject({ passwordChangeRequired: false, twoFactorEnabled: false })
      const setByAdmin = await gateway.admin<UserView>('PATCH', `/api/users/${fresh.id}`, { password: 'chosen-by-admin' })
      expect(setByAdmin.passwordChangeRequired).toBe(true)
    })

    test('deleting a user removes their keys and sessions; their relay key stops working; logs keep the username', async () => {
      const doomed = await newUser('doomed')
      const key = await gateway.createToken({ name: 'doomed key', userId: doomed.id, quota: 1_000_000 })
      const relay = () =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key.key}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        })
      expect((await relay()).status).toBe(200)
      await gateway.logs()
      const removed = await gateway.adminResponse('DELETE', `/api/users/${doomed.id}`)
      expect(removed.status).toBe(204)
      expect((await relay()).status).toBe(401)
      expect((await send(doomed.token, 'GET', '/api/users/me')).status).toBe(401)
      expect((await gateway.adminResponse('GET', `/api/users/${doomed.id}`)).status).toBe(404)
      const db = gateway.context.database.db
      expect(await db.select().from(tokens).where(eq(tokens.userId, doomed.id))).toEqual([])
      expect(await db.select().from(accessTokens).where(eq(accessTokens.userId, doomed.id))).toEqual([])
      const history = (await gateway.logs({ type: 'consume' })).filter((row) => row.userId === doomed.id)
      expect(history.length).toBe(1)
      expect(history[0]!.username).toBe('doomed')
      const audit = (await gateway.logs({ type: 'manage' })).find((row) => row.content === `user ${doomed.id} "doomed" deleted`)
      expect(audit).toMatchObject({ username: 'root' })
      expect((await gateway.adminResponse('DELETE', `/api/users/${doomed.id}`)).status).toBe(404)
    })

    test('root is never deleted; only root deletes admins', async () => {
      const admin = await newUser('deleting-admin', 'admin')
      const otherAdmin = await newUser('other-admin', 'admin')
      const user = await newUser('deletable')
      expect((await send<AdminError>(admin.token, 'DELETE', `/api/users/${rootId}`)).status).toBe(403)
      expect((await send<AdminError>(root(), 'DELETE', `/api/users/${rootId}`)).status).toBe(403)
      expect((await send<AdminError>(admin.token, 'DELETE', `/api/users/${otherAdmin.id}`)).status).toBe(403)
      expect((await send<AdminError>(admin.token, 'DELETE', `/api/users/${admin.id}`)).status).toBe(403)
      expect((await send<AdminError>(user.token, 'DELETE', `/api/users/${otherAdmin.id}`)).status).toBe(403)
      const [stillThere] = await gateway.context.database.db.select().from(users).where(eq(users.id, otherAdmin.id))
      expect(stillThere!.role).toBe('admin')
      expect((await send(admin.token, 'DELETE', `/api/users/${user.id}`)).status).toBe(204)
      expect((await send(root(), 'DELETE', `/api/users/${otherAdmin.id}`)).status).toBe(204)
      const rootRow = await gateway.context.database.db.select().from(users).where(eq(users.id, rootId))
      expect(rootRow.length).toBe(1)
    })

    test('a password reset is shown once, signs the user out everywhere and asks for a new password', async () => {
      const user = await newUser('forgetful')
      const second = (await login('forgetful', 'password-123')).body.accessToken
      const reset = await gateway.adminResponse('POST', `/api/users/${user.id}/reset-password`)
      expect(reset.status).toBe(200)
      expect(reset.headers.get('cache-control')).toBe('no-store')
      const { password } = (await reset.json()) as { password: string }
      expect(password).toMatch(/^[A-Za-z0-9]{16}$/)
      expect((await send(user.token, 'GET', '/api/users/me')).status).toBe(401)
      expect((await send(second, 'GET', '/api/users/me')).status).toBe(401)
      expect((await login('forgetful', 'password-123')).status).toBe(401)
      const fresh = await login('forgetful', password)
      expect(fresh.status).toBe(200)
      expect((await send<UserView>(fresh.body.accessToken, 'GET', '/api/users/me')).body.passwordChangeRequired).toBe(true)
      const [row] = await gateway.context.database.db.select().from(users).where(eq(users.id, user.id))
      expect(row!.passwordHash).not.toContain(password)
      await gateway.context.logWriter.flush()
      const rows = await gateway.context.database.db.select().from(logs).where(eq(logs.type, 'manage'))
      expect(rows.some((entry) => entry.content === `user ${user.id} "forgetful" password reset`)).toBe(true)
      for (const entry of rows) expect(JSON.stringify(entry)).not.toContain(password)
    })

    test('admins cannot reset root or another admin; root can reset an admin', async () => {
      const admin = await newUser('resetting-admin', 'admin')
      const target = await newUser('reset-target-admin', 'admin')
      expect((await send(admin.token, 'POST', `/api/users/${rootId}/reset-password`)).status).toBe(403)
      expect((await send(admin.token, 'POST', `/api/users/${target.id}/reset-password`)).status).toBe(403)
      expect((await send(target.token, 'GET', '/api/users/me')).status).toBe(200)
      expect((await send(root(), 'POST', `/api/users/${target.id}/reset-password`)).status).toBe(200)
      expect((await send(target.token, 'GET', '/api/users/me')).status).toBe(401)
    })

    test('users change their own display name and email, and nothing else', async () => {
      const user = await newUser('self-editor')
      const changed = await send<UserView>(user.token, 'PATCH', '/api/users/me', { displayName: 'Self Editor', email: 'self@example.com' })
      expect(changed.status).toBe(200)
      expect(changed.body).toMatchObject({ id: user.id, displayName: 'Self Editor', email: 'self@example.com', role: 'user', quota: 10_000_000 })
      expect((await send<UserView>(user.token, 'PATCH', '/api/users/me', { email: null })).body.email).toBeNull()
      for (const change of [{ quota: 999_999_999 }, { role: 'admin' }, { group: 'vip' }, { status: 'disabled' }, {}]) {
        const refused = await send<AdminError>(user.token, 'PATCH', '/api/users/me', change)
        expect({ change, status: refused.status }).toEqual({ change, status: 400 })
      }
      expect((await send<AdminError>(user.token, 'PATCH', '/api/users/me', { email: 'not-an-email' })).body.error.field).toBe('email')
      const [row] = await gateway.context.database.db.select().from(users).where(eq(users.id, user.id))
      expect(row).toMatchObject({ role: 'user', quota: 10_000_000, group: 'default', status: 'enabled' })
      const other = await newUser('not-mine')
      expect((await send(user.token, 'PATCH', `/api/users/${other.id}`, { displayName: 'hijacked' })).status).toBe(403)
      expect((await send(user.token, 'DELETE', `/api/users/${other.id}`)).status).toBe(403)
      expect((await send(user.token, 'POST', `/api/users/${other.id}/reset-password`)).status).toBe(403)
      expect((await send(user.token, 'GET', `/api/users/${other.id}`)).status).toBe(403)
    })

    test('an email address belongs to one account, whatever its case, on every way of writing it', async () => {
      const first = await gateway.admin<UserView>('POST', '/api/users', { username: 'mail-owner', password: 'password-123', email: 'Owner@Example.com' })
      const taken = await send<AdminError>(root(), 'POST', '/api/users', { username: 'mail-copycat', password: 'password-123', email: 'owner@example.COM' })
      expect(taken.status).toBe(409)
      expect(taken.body.error.field).toBe('email')
      const [copycat] = await gateway.context.database.db.select().from(users).where(eq(users.username, 'mail-copycat'))
      expect(copycat).toBeUndefined()
      const other = await newUser('mail-other')
      const patched = await send<AdminError>(root(), 'PATCH', `/api/users/${other.id}`, { email: 'OWNER@example.com' })
      expect(patched.status).toBe(409)
      expect(patched.body.error.field).toBe('email')
      const own = await send<AdminError>(other.token, 'PATCH', '/api/users/me', { email: 'owner@example.com' })
      expect(own.status).toBe(409)
      expect(own.body.error.field).toBe('email')
      const [unchanged] = await gateway.context.database.db.select().from(users).where(eq(users.id, other.id))
      expect(unchanged!.email).toBeNull()
      // The owner keeps the address and may change its case.
      expect((await send<UserView>(root(), 'PATCH', `/api/users/${first.id}`, { email: 'owner@example.com' })).body.email).toBe('owner@example.com')
    })

    test('changing your password needs the current one, clears the flag and signs out the other sessions only', async () => {
      const user = await newUser('rotator')
      await gateway.admin('PATCH', `/api/users/${user.id}`, { password: 'temporary-pass' })
      const current = (await login('rotator', 'temporary-pass')).body.accessToken
      const other = (await login('rotator', 'temporary-pass')).body.accessToken
      expect((await send<UserView>(current, 'GET', '/api/users/me')).body.passwordChangeRequired).toBe(true)
      const wrong = await send<AdminError>(current, 'POST', '/api/users/me/password', { currentPassword: 'nope-nope', newPassword: 'my-own-password' })
      expect(wrong.status).toBe(403)
      expect(wrong.body.error.field).toBe('currentPassword')
      const same = await send<AdminError>(current, 'POST', '/api/users/me/password', { currentPassword: 'temporary-pass', newPassword: 'temporary-pass' })
      expect({ status: same.status, field: same.body.error.field }).toEqual({ status: 400, field: 'newPassword' })
      expect(
        (await send<AdminError>(current, 'POST', '/api/users/me/password', { currentPassword: 'temporary-pass', newPassword: 'short' })).body.error.field,
      ).toBe('newPassword')
      const changed = await send(current, 'POST', '/api/users/me/password', { currentPassword: 'temporary-pass', newPassword: 'my-own-password' })
      expect(changed.status).toBe(204)
      const me = await send<UserView>(current, 'GET', '/api/users/me')
      expect(me.status).toBe(200)
      expect(me.body.passwordChangeRequired).toBe(false)
      expect((await send(other, 'GET', '/api/users/me')).status).toBe(401)
      expect((await login('rotator', 'temporary-pass')).status).toBe(401)
      expect((await login('rotator', 'my-own-password')).status).toBe(200)
      expect((await send(undefined, 'POST', '/api/users/me/password', { currentPassword: 'x', newPassword: 'long-enough-1' })).status).toBe(401)
    })
  })
}
