import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { eq } from 'drizzle-orm'
import { apiRoutes } from '../../core/api-routes.ts'
import { ensureRootUser } from '../../core/bootstrap.ts'
import { logs, tokens, users } from '../../core/db/schema.ts'
import { sha256Hex } from '../../core/security/crypto.ts'
import type { AppContext } from '../../core/app-context.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { TokenView } from '../../schemas/admin/tokens.ts'
import type { UserView } from '../../schemas/admin/users.ts'
import type { LogView } from '../../schemas/admin/logs.ts'
import { closeContext, createTestContext, testBackends } from '../support/context.ts'

type App = ReturnType<typeof adminApp>
interface Answer<T> {
  status: number
  text: string
  body: T
}
interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}
type CreatedToken = TokenView & { key: string }

function adminApp(context: AppContext) {
  return new Elysia().use(apiRoutes(context))
}

for (const backend of testBackends) {
  describe(`admin tokens, users and logs (${backend.name})`, () => {
    let context: AppContext
    let app: App
    let root: string
    const people = {} as Record<'alice' | 'bob' | 'admin', { token: string; user: UserView }>

    /** Calls the admin API in-process as the holder of `token`. */
    async function call<T>(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
      if (token) headers.authorization = `Bearer ${token}`
      const response = await app.handle(new Request(`http://local${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }))
      const text = await response.text()
      return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T }
    }

    async function signUp(username: 'alice' | 'bob' | 'admin', role: 'user' | 'admin') {
      const created = await call<UserView>(root, 'POST', '/api/users', {
        username,
        password: `${username}-password`,
        role,
        quota: 1_000_000,
        displayName: username.toUpperCase(),
      })
      expect(created.status).toBe(201)
      const login = await call<{ accessToken: string }>(undefined, 'POST', '/api/auth/login', { username, password: `${username}-password` })
      expect(login.status).toBe(200)
      people[username] = { token: login.body.accessToken, user: created.body }
    }

    beforeAll(async () => {
      context = await createTestContext(backend)
      await ensureRootUser(context)
      app = adminApp(context)
      root = context.config.rootAccessToken!
      await signUp('alice', 'user')
      await signUp('bob', 'user')
      await signUp('admin', 'admin')
    })
    afterAll(async () => {
      await closeContext(context)
    })

    test('a token key is returned once at creation; later reads show the preview and the database only the hash', async () => {
      let tokenEvents = 0
      const unsubscribe = context.bus.subscribe('tokens', () => {
        tokenEvents += 1
      })
      const created = await call<CreatedToken>(people.alice.token, 'POST', '/api/tokens', {
        name: 'laptop',
        quota: 250_000,
        models: ['gpt-4o', 'claude-*'],
        ipAllowlist: ['10.0.0.0/8', '2001:db8::1'],
        expiresAt: '2099-01-01T00:00:00Z',
      })
      unsubscribe()
      expect(created.status).toBe(201)
      expect(tokenEvents).toBe(1)
      const key = created.body.key
      expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/)
      expect(created.body).toMatchObject({
        userId: people.alice.user.id,
        name: 'laptop',
        keyPreview: `sk-…${key.slice(-4)}`,
        status: 'enabled',
        remainQuota: 250_000,
        usedQuota: 0,
        unlimited: false,
        models: ['gpt-4o', 'claude-*'],
        ipAllowlist: ['10.0.0.0/8', '2001:db8::1'],
        group: null,
        expiresAt: '2099-01-01T00:00:00.000Z',
        lastUsedAt: null,
      })
      const read = await call<TokenView>(people.alice.token, 'GET', `/api/tokens/${created.body.id}`)
      const list = await call<Page<TokenView>>(people.alice.token, 'GET', '/api/tokens')
      for (const answer of [read, list]) {
        expect(answer.status).toBe(200)
        expect(answer.text).not.toContain(key)
        expect(answer.text).not.toContain(key.slice(3, 20))
      }
      expect(read.body.keyPreview).toBe(created.body.keyPreview)
      expect((read.body as Record<string, unknown>).key).toBeUndefined()
      expect(list.body.items.map((token) => token.id)).toEqual([created.body.id])
      const [row] = await context.database.db.select().from(tokens).where(eq(tokens.id, created.body.id))
      expect(row!.keyHash).toBe(sha256Hex(key))
      expect(JSON.stringify(row)).not.toContain(key)
    })

    test("another user's token is 404 for every verb, and never listed", async () => {
      const created = await call<CreatedToken>(people.alice.token, 'POST', '/api/tokens', { name: 'private' })
      const id = created.body.id
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { name: 'stolen' }],
        ['DELETE', undefined],
      ] as const) {
        const answer = await call<AdminError>(people.bob.token, method, `/api/tokens/${id}`, body)
        expect({ method, status: answer.status, code: answer.body.error.code }).toEqual({ method, status: 404, code: 'not_found' })
      }
      const bobsList = await call<Page<TokenView>>(people.bob.token, 'GET', `/api/tokens?userId=${people.alice.user.id}&all=true`)
      expect(bobsList.body.items).toEqual([])
      const [row] = await context.database.db.select().from(tokens).where(eq(tokens.id, id))
      expect(row!.name).toBe('private')
      const forOther = await call<AdminError>(people.bob.token, 'POST', '/api/tokens', { name: 'sneaky', userId: people.alice.user.id })
      expect(forOther.status).toBe(403)
      const otherGroup = await call<AdminError>(people.bob.token, 'POST', '/api/tokens', { name: 'vip', group: 'vip' })
      expect(otherGroup.status).toBe(403)
      expect(otherGroup.body.error.field).toBe('group')
    })

    test("owners update and delete their tokens; admins can list and manage anyone's", async () => {
      const created = await call<CreatedToken>(people.bob.token, 'POST', '/api/tokens', { name: 'ci' })
      const patched = await call<TokenView>(people.bob.token, 'PATCH', `/api/tokens/${created.body.id}`, {
        quota: 42,
        status: 'disabled',
        models: null,
        expiresAt: null,
        unlimited: true,
      })
      expect(patched.status).toBe(200)
      expect(patched.body).toMatchObject({ remainQuota: 42, status: 'disabled', models: null, expiresAt: null, unlimited: true, name: 'ci' })
      const byAdmin = await call<Page<TokenView>>(people.admin.token, 'GET', `/api/tokens?userId=${people.bob.user.id}`)
      expect(byAdmin.body.items.map((token) => token.name)).toEqual(['ci'])
      const everyone = await call<Page<TokenView>>(people.admin.token, 'GET', '/api/tokens?all=true')
      expect(new Set(everyone.body.items.map((token) => token.userId))).toEqual(new Set([people.alice.user.id, people.bob.user.id]))
      const own = await call<Page<TokenView>>(people.admin.token, 'GET', '/api/tokens')
      expect(own.body.total).toBe(0)
      const forBob = await call<CreatedToken>(people.admin.token, 'POST', '/api/tokens', { name: 'issued', userId: people.bob.user.id, group: 'vip' })
      expect(forBob.status).toBe(201)
      expect(forBob.body).toMatchObject({ userId: people.bob.user.id, group: 'vip' })
      expect((await call(people.bob.token, 'DELETE', `/api/tokens/${created.body.id}`)).status).toBe(204)
      expect((await call(people.bob.token, 'GET', `/api/tokens/${created.body.id}`)).status).toBe(404)
      expect((await call(people.admin.token, 'DELETE', `/api/tokens/${forBob.body.id}`)).status).toBe(204)
    })

    test('plain users cannot list or read users, but can read themselves; no response carries a password hash', async () => {
      expect((await call<AdminError>(people.alice.token, 'GET', '/api/users')).status).toBe(403)
      expect((await call<AdminError>(people.alice.token, 'GET', `/api/users/${people.bob.user.id}`)).status).toBe(403)
      expect((await call<AdminError>(people.alice.token, 'PATCH', `/api/users/${people.alice.user.id}`, { quota: 999_999_999 })).status).toBe(403)
      const me = await call<UserView>(people.alice.token, 'GET', '/api/users/me')
      expect(me.body).toMatchObject({ id: people.alice.user.id, username: 'alice', role: 'user', quota: 1_000_000, displayName: 'ALICE' })
      const list = await call<Page<UserView>>(root, 'GET', '/api/users?q=ali')
      expect(list.body.items.map((user) => user.username)).toEqual(['alice'])
      const admins = await call<Page<UserView>>(root, 'GET', '/api/users?role=admin')
      expect(admins.body.items.map((user) => user.username)).toEqual(['admin'])
      const all = await call<Page<UserView>>(root, 'GET', '/api/users?pageSize=2')
      expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 2 })
      for (const answer of [me, list, all]) {
        expect(answer.text).not.toContain('passwordHash')
        expect(answer.text).not.toContain('$argon2id$')
      }
    })

    test('admins cannot touch root or other admins, nor grant admin; root can', async () => {
      const rootUser = (await call<Page<UserView>>(root, 'GET', '/api/users?role=root')).body.items[0]!
      for (const change of [{ displayName: 'pwned' }, { status: 'disabled' }, { password: 'new-root-password' }, { quotaDelta: -1 }]) {
        const answer = await call<AdminError>(people.admin.token, 'PATCH', `/api/users/${rootUser.id}`, change)
        expect(answer.status).toBe(403)
      }
      expect((await call<AdminError>(root, 'PATCH', `/api/users/${rootUser.id}`, { role: 'user' })).status).toBe(400)
      expect((await call<AdminError>(root, 'PATCH', `/api/users/${rootUser.id}`, { status: 'disabled' })).status).toBe(400)
      const [rootRow] = await context.database.db.select().from(users).where(eq(users.id, rootUser.id))
      expect(rootRow).toMatchObject({ role: 'root', status: 'enabled', displayName: 'Root' })
      expect((await call(people.admin.token, 'POST', '/api/users', { username: 'admin2', password: 'admin2-password', role: 'admin' })).status).toBe(403)
      expect((await call(people.admin.token, 'PATCH', `/api/users/${people.alice.user.id}`, { role: 'admin' })).status).toBe(403)
      const promoted = await call<UserView>(root, 'PATCH', `/api/users/${people.alice.user.id}`, { role: 'admin' })
      expect(promoted.body.role).toBe('admin')
      expect((await call(people.admin.token, 'PATCH', `/api/users/${people.alice.user.id}`, { displayName: 'x' })).status).toBe(403)
      expect((await call<UserView>(root, 'PATCH', `/api/users/${people.alice.user.id}`, { role: 'user' })).body.role).toBe('user')
      const adminEdit = await call<UserView>(people.admin.token, 'PATCH', `/api/users/${people.bob.user.id}`, { displayName: 'Bobby', group: 'vip' })
      expect(adminEdit.body).toMatchObject({ displayName: 'Bobby', group: 'vip' })
    })

    test('usernames are unique (409) and quota changes are absolute or relative, never below zero, and logged', async () => {
      const duplicate = await call<AdminError>(root, 'POST', '/api/users', { username: 'alice', password: 'another-password' })
      expect(duplicate.status).toBe(409)
      expect(duplicate.body.error).toMatchObject({ code: 'conflict', field: 'username' })
      const bobId = people.bob.user.id
      const added = await call<UserView>(people.admin.token, 'PATCH', `/api/users/${bobId}`, { quotaDelta: 500_000, reason: 'invoice 17' })
      expect(added.body.quota).toBe(1_500_000)
      const tooMuch = await call<AdminError>(people.admin.token, 'PATCH', `/api/users/${bobId}`, { quotaDelta: -1_500_001 })
      expect(tooMuch.status).toBe(400)
      expect(tooMuch.body.error.field).toBe('quotaDelta')
      const set = await call<UserView>(people.admin.token, 'PATCH', `/api/users/${bobId}`, { quota: 7 })
      expect(set.body.quota).toBe(7)
      expect((await call(people.admin.token, 'PATCH', `/api/users/${bobId}`, { quota: -1 })).status).toBe(400)
      expect((await call(people.admin.token, 'PATCH', `/api/users/${bobId}`, { quota: 1, quotaDelta: 1 })).status).toBe(400)
      await context.logWriter.flush()
      const rows = await context.database.db.select().from(logs).where(eq(logs.userId, bobId))
      const topUp = rows.find((row) => row.content?.includes('invoice 17'))
      expect(topUp).toMatchObject({ type: 'manage', quota: 500_000, username: 'bob' })
      expect(topUp!.details).toMatchObject({ before: 1_000_000, after: 1_500_000, actorUsername: 'admin' })
    })

    test('plain users read only their own logs, whatever userId they ask for; admins filter freely', async () => {
      const base = { type: 'consume' as const, promptTokens: 10, completionTokens: 5 }
      context.logWriter.write({
        ...base,
        userId: people.alice.user.id,
        username: 'alice',
        model: 'gpt-4o',
        quota: 100,
        requestId: 'req_alice_1',
        createdAt: new Date('2030-01-01T00:00:00Z'),
      })
      context.logWriter.write({
        ...base,
        userId: people.alice.user.id,
        username: 'alice',
        model: 'gpt-4o-mini',
        quota: 3,
        requestId: 'req_alice_2',
        createdAt: new Date('2030-01-02T00:00:00Z'),
      })
      context.logWriter.write({
        ...base,
        userId: people.bob.user.id,
        username: 'bob',
        model: 'gpt-4o',
        quota: 200,
        requestId: 'req_bob_1',
        createdAt: new Date('2030-01-03T00:00:00Z'),
      })
      await context.logWriter.flush()
      const bobsView = await call<Page<LogView>>(people.bob.token, 'GET', `/api/logs?userId=${people.alice.user.id}&type=consume`)
      expect(bobsView.status).toBe(200)
      expect(bobsView.body.items.map((row) => row.requestId)).toEqual(['req_bob_1'])
      expect(bobsView.body.items.every((row) => row.userId === people.bob.user.id)).toBe(true)
      const bobsAll = await call<Page<LogView>>(people.bob.token, 'GET', '/api/logs')
      expect(bobsAll.body.items.length).toBeGreaterThan(0)
      expect(bobsAll.body.items.every((row) => row.userId === people.bob.user.id)).toBe(true)
      const aliceByAdmin = await call<Page<LogView>>(people.admin.token, 'GET', `/api/logs?userId=${people.alice.user.id}&type=consume`)
      expect(aliceByAdmin.body.items.map((row) => row.requestId)).toEqual(['req_alice_2', 'req_alice_1'])
      expect(aliceByAdmin.body.items[0]!.createdAt).toBe('2030-01-02T00:00:00.000Z')
      const byModel = await call<Page<LogView>>(people.admin.token, 'GET', '/api/logs?type=consume&model=gpt-4o')
      expect(byModel.body.items.map((row) => row.requestId)).toEqual(['req_bob_1', 'req_alice_1'])
      const window = await call<Page<LogView>>(
        people.admin.token,
        'GET',
        `/api/logs?type=consume&from=${encodeURIComponent('2030-01-01T12:00:00Z')}&to=${encodeURIComponent('2030-01-03T00:00:00Z')}`,
      )
      expect(window.body.items.map((row) => row.requestId)).toEqual(['req_alice_2'])
      const byRequest = await call<Page<LogView>>(people.admin.token, 'GET', '/api/logs?requestId=req_bob_1')
      expect(byRequest.body).toMatchObject({ total: 1, items: [{ quota: 200, promptTokens: 10, completionTokens: 5, username: 'bob' }] })
      const paged = await call<Page<LogView>>(people.admin.token, 'GET', '/api/logs?type=consume&pageSize=1&page=3')
      expect(paged.body).toMatchObject({ total: 3, page: 3, pageSize: 1 })
      expect(paged.body.items.map((row) => row.requestId)).toEqual(['req_alice_1'])
    })
  })
}
