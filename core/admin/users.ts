import { Elysia } from 'elysia'
import { and, count, desc, eq, ilike, sql, type SQL } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { IdParams, Page } from '../../schemas/admin/common.ts'
import { UserCreate, UserListQuery, UserUpdate, UserView } from '../../schemas/admin/users.ts'
import type { Actor } from './auth.ts'
import { access, adminBase, iso, signedIn, withErrors, type AdminDeps } from './http.ts'

type UserRow = typeof users.$inferSelect
const tags = ['users']

/** Shows a user without secrets. */
export function toUserView(row: UserRow): UserView {
  return {
    id: row.id, username: row.username, displayName: row.displayName, email: row.email, role: row.role, group: row.group, quota: row.quota,
    usedQuota: row.usedQuota, requestCount: row.requestCount, status: row.status, createdAt: iso(row.createdAt) ?? '',
  }
}

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: 'argon2id' })
}

/** Refuses changes an actor may not make: root is changed only by root, admin rights only granted by root. */
function checkUpdateAllowed(actor: Actor, target: UserRow, update: UserUpdate): void {
  if (target.role === 'root') {
    if (actor.role !== 'root') throw new GatewayError(403, 'forbidden', 'Only root can change the root user')
    if (update.role !== undefined) throw new GatewayError(400, 'invalid_request', 'role: the root user keeps its role', { param: 'role' })
    if (update.status === 'disabled') throw new GatewayError(400, 'invalid_request', 'status: the root user cannot be disabled', { param: 'status' })
  }
  if (target.role === 'admin' && actor.role !== 'root' && target.id !== actor.id) throw new GatewayError(403, 'forbidden', 'Only root can change another admin')
  if (update.role !== undefined && update.role !== target.role && actor.role !== 'root') throw new GatewayError(403, 'forbidden', 'Only root can grant or revoke the admin role')
  if (update.quota !== undefined && update.quotaDelta !== undefined) throw new GatewayError(400, 'invalid_request', 'quotaDelta: give either quota or quotaDelta, not both', { param: 'quotaDelta' })
}

async function applyUpdate(context: AppContext, actor: Actor, target: UserRow, update: UserUpdate): Promise<UserRow> {
  const db = context.database.db
  const { password, quota, quotaDelta, reason, ...fields } = update
  const [row] = await db.transaction(async (tx) => {
    const [locked] = await tx.select().from(users).where(eq(users.id, target.id)).for('update')
    const balance = quotaDelta === undefined ? quota : locked!.quota + quotaDelta
    if (balance !== undefined && balance < 0) throw new GatewayError(400, 'invalid_request', `quotaDelta: the balance would become ${balance}; it cannot go below 0`, { param: 'quotaDelta' })
    return tx.update(users).set({
      ...fields,
      ...(balance === undefined ? {} : { quota: balance }),
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
      updatedAt: sql`now()`,
    }).where(eq(users.id, target.id)).returning()
  })
  if (quota !== undefined || quotaDelta !== undefined) {
    context.logWriter.write({
      type: 'manage', userId: target.id, username: target.username, quota: quotaDelta ?? quota ?? 0,
      content: `quota of ${target.username} ${quotaDelta === undefined ? `set to ${quota}` : `changed by ${quotaDelta}`} by ${actor.username}${reason ? `: ${reason}` : ''}`,
      details: { actorId: actor.id, before: target.quota, after: row!.quota, reason: reason ?? null },
    })
  }
  return row!
}

/** User administration (admins), and each user's own record. */
export function userRoutes(deps: AdminDeps) {
  const { context } = deps
  const db = context.database.db

  async function find(id: number): Promise<UserRow> {
    const [row] = await db.select().from(users).where(eq(users.id, id))
    if (!row) throw new GatewayError(404, 'not_found', `User ${id} does not exist`)
    return row
  }

  return new Elysia({ prefix: '/api' })
    .use(adminBase(deps))
    .get('/users/me', async ({ actor }) => toUserView(await find(signedIn(actor).id)), {
      ...access('user', { operationId: 'getCurrentUser', tags, summary: 'The signed-in user' }), response: withErrors({ 200: UserView }),
    })
    .post('/users', async ({ actor, body, set }) => {
      const me = signedIn(actor)
      if (body.role === 'admin' && me.role !== 'root') throw new GatewayError(403, 'forbidden', 'Only root can create admins')
      const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.username, body.username))
      if (existing) throw new GatewayError(409, 'conflict', `username: "${body.username}" is taken`, { param: 'username' })
      const [row] = await db.insert(users).values({
        username: body.username, passwordHash: await hashPassword(body.password), displayName: body.displayName ?? body.username, email: body.email ?? null,
        role: body.role ?? 'user', group: body.group ?? 'default', quota: body.quota ?? context.options.get().newUserQuota,
      }).returning()
      context.logWriter.write({ type: 'manage', userId: me.id, username: me.username, content: `user ${row!.id} "${row!.username}" created`, details: { targetUserId: row!.id } })
      set.status = 201
      return toUserView(row!)
    }, { ...access('admin', { operationId: 'createUser', tags, summary: 'Create a user' }), body: UserCreate, response: withErrors({ 201: UserView }) })
    .get('/users', async ({ query }) => {
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const filters: SQL[] = []
      if (query.q) filters.push(ilike(users.username, `%${query.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`))
      if (query.role) filters.push(eq(users.role, query.role))
      if (query.status) filters.push(eq(users.status, query.status))
      if (query.group) filters.push(eq(users.group, query.group))
      const where = filters.length > 0 ? and(...filters) : undefined
      const [total] = await db.select({ value: count() }).from(users).where(where)
      const rows = await db.select().from(users).where(where).orderBy(desc(users.id)).limit(pageSize).offset((page - 1) * pageSize)
      return { items: rows.map(toUserView), total: total?.value ?? 0, page, pageSize }
    }, { ...access('admin', { operationId: 'listUsers', tags, summary: 'List users' }), query: UserListQuery, response: withErrors({ 200: Page(UserView) }) })
    .get('/users/:id', async ({ params }) => toUserView(await find(params.id)), {
      ...access('admin', { operationId: 'getUser', tags, summary: 'Read a user' }), params: IdParams, response: withErrors({ 200: UserView }),
    })
    .patch('/users/:id', async ({ actor, params, body }) => {
      const me = signedIn(actor)
      const target = await find(params.id)
      checkUpdateAllowed(me, target, body)
      const row = await applyUpdate(context, me, target, body)
      await context.bus.publish('users')
      return toUserView(row)
    }, { ...access('admin', { operationId: 'updateUser', tags, summary: 'Update a user, adjust quota, disable, reset password' }), params: IdParams, body: UserUpdate, response: withErrors({ 200: UserView }) })
}
