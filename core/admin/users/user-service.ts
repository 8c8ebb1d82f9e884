import { eq, ilike, or, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import type { Db } from '../../db/client.ts'
import { accessTokens, users } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import { randomKey } from '../../security/crypto.ts'
import { hashPassword } from '../../security/password.ts'
import type { USER_SORT_FIELDS, UserCreate, UserListQuery, UserUpdate, UserView } from '../../../schemas/admin/users.ts'
import type { Actor } from '../../http/actor.ts'
import { likePattern, listPage } from '../../http/list-query.ts'
import { insertUser, toUserView, userConflict, type UserRow } from '../../identity/user-view.ts'

/** Refuses changes an actor may not make: root is changed only by root and keeps its role; admin rights come only from root. */
export function checkUpdateAllowed(actor: Actor, target: UserRow, update: UserUpdate): void {
  if (target.role === 'root') {
    if (actor.role !== 'root') throw new GatewayError(403, 'forbidden', 'Only root can change the root user')
    if (update.role !== undefined) throw new GatewayError(400, 'invalid_request', 'role: the root user keeps its role', { param: 'role' })
    if (update.status === 'disabled') throw new GatewayError(400, 'invalid_request', 'status: the root user cannot be disabled', { param: 'status' })
  }
  if (target.role === 'admin' && actor.role !== 'root' && target.id !== actor.id) throw new GatewayError(403, 'forbidden', 'Only root can change another admin')
  if (update.role !== undefined && update.role !== target.role && actor.role !== 'root') {
    throw new GatewayError(403, 'forbidden', 'role: only root can grant or revoke the admin role', { param: 'role' })
  }
  if (update.quota !== undefined && update.quotaDelta !== undefined) {
    throw new GatewayError(400, 'invalid_request', 'quotaDelta: give either quota or quotaDelta, not both', { param: 'quotaDelta' })
  }
}

/** Length of the passwords an admin reset generates. */
const RESET_PASSWORD_LENGTH = 16

/** Refuses deletions an actor may not make: root is never deleted, and only root deletes admins. */
export function checkDeleteAllowed(actor: Actor, target: UserRow): void {
  if (target.role === 'root') throw new GatewayError(403, 'forbidden', 'The root user cannot be deleted')
  if (target.role === 'admin' && actor.role !== 'root') throw new GatewayError(403, 'forbidden', 'Only root can delete an admin')
}

/** Writes an update under a row lock so concurrent quota changes add up; the balance never goes below 0. */
async function writeUpdate(context: AppContext, actor: Actor, target: UserRow, update: UserUpdate): Promise<UserRow> {
  const { password, quota, quotaDelta, reason: _reason, ...fields } = update
  const passwordHash = password === undefined ? undefined : await hashPassword(password)
  // Charges still on their way to the database are applied before a balance is set, not after it.
  if (quota !== undefined || quotaDelta !== undefined) await context.ledger.sync()
  const row = await context.database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db
    const [locked] = await tx.select().from(users).where(eq(users.id, target.id)).for('update')
    if (!locked) throw new GatewayError(404, 'not_found', `User ${target.id} does not exist`)
    const balance = quotaDelta === undefined ? quota : locked.quota + quotaDelta
    if (balance !== undefined && balance < 0) {
      throw new GatewayError(400, 'invalid_request', `quotaDelta: the balance would become ${balance}; it cannot go below 0`, {
        param: quotaDelta === undefined ? 'quota' : 'quotaDelta',
      })
    }
    const [row] = await tx
      .update(users)
      .set({
        ...fields,
        ...(balance === undefined ? {} : { quota: balance, balanceVersion: sql`${users.balanceVersion} + 1` }),
        updatedAt: sql`now()`,
        // A password someone else chose is one the user should replace.
        ...(passwordHash ? { passwordHash, passwordChangeRequired: target.id !== actor.id } : {}),
      })
      .where(eq(users.id, target.id))
      .returning()
      .catch((error: unknown) => {
        throw userConflict(error, { username: target.username, email: fields.email })
      })
    // A new password signs the user out everywhere.
    if (passwordHash) await tx.delete(accessTokens).where(eq(accessTokens.userId, target.id))
    return row!
  })
  if (quota !== undefined || quotaDelta !== undefined) await context.ledger.adopt([{ key: `u:${row.id}`, quota: row.quota, version: row.balanceVersion }])
  return row
}

async function findUser(db: Db, id: number): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id))
  if (!row) throw new GatewayError(404, 'not_found', `User ${id} does not exist`)
  return row
}

/** Columns the `sort` parameter may name. */
const sortColumns: Record<(typeof USER_SORT_FIELDS)[number], AnyColumn> = {
  id: users.id,
  username: users.username,
  quota: users.quota,
  usedQuota: users.usedQuota,
  requestCount: users.requestCount,
  createdAt: users.createdAt,
}

/** A filtered page of users, newest first unless `sort` says otherwise. */
async function listUsers(db: Db, query: UserListQuery): Promise<{ items: UserView[]; total: number; page: number; pageSize: number }> {
  const filters: SQL[] = []
  if (query.q) filters.push(or(ilike(users.username, likePattern(query.q)), ilike(users.displayName, likePattern(query.q)))!)
  if (query.role) filters.push(eq(users.role, query.role))
  if (query.status) filters.push(eq(users.status, query.status))
  if (query.group) filters.push(eq(users.group, query.group))
  const { rows, ...counts } = await listPage(db, users, users.id, filters, query, sortColumns)
  return { items: rows.map(toUserView), ...counts }
}

/** User persistence: argon2id hashes, role rules, audited quota changes, caches told. */
export function createUserService(context: AppContext) {
  const db = context.database.db
  const find = (id: number) => findUser(db, id)

  function audit(actor: Actor, content: string, details: Record<string, unknown>): void {
    context.logWriter.write({ type: 'manage', userId: actor.id, username: actor.username, content, details })
  }

  return {
    /** One user, or 404. */
    async get(id: number): Promise<UserView> {
      await context.ledger.sync()
      return toUserView(await find(id))
    },

    /** Creates a user; only root may create admins; a taken username is a 409. */
    async create(actor: Actor, body: UserCreate): Promise<UserView> {
      if (body.role === 'admin' && actor.role !== 'root') throw new GatewayError(403, 'forbidden', 'role: only root can create admins', { param: 'role' })
      const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.username, body.username))
      if (existing) throw new GatewayError(409, 'conflict', `username: "${body.username}" is taken`, { param: 'username' })
      const values = {
        username: body.username,
        passwordHash: await hashPassword(body.password),
        displayName: body.displayName ?? body.username,
        email: body.email ?? null,
        role: body.role ?? 'user',
        group: body.group ?? 'default',
        quota: body.quota ?? context.options.get().newUserQuota,
      }
      const row = await insertUser(db, context.bus, values)
      audit(actor, `user ${row.id} "${row.username}" created`, { targetUserId: row.id, role: row.role })
      return toUserView(row)
    },

    /** Applies an update the actor is allowed to make; quota changes are written to the audit log. */
    async update(actor: Actor, id: number, update: UserUpdate): Promise<UserView> {
      const target = await find(id)
      checkUpdateAllowed(actor, target, update)
      const row = await writeUpdate(context, actor, target, update)
      if (update.password !== undefined) await context.bus.publish('access-tokens')
      await context.bus.publish('users')
      const changed = Object.keys(update)
        .filter((field) => field !== 'password' && field !== 'reason')
        .concat(update.password === undefined ? [] : ['password'])
      audit(actor, `user ${id} "${row.username}" updated: ${changed.sort().join(', ')}`, { targetUserId: id, fields: changed })
      if (update.quota !== undefined || update.quotaDelta !== undefined) {
        const how = update.quotaDelta === undefined ? `set to ${update.quota}` : `changed by ${update.quotaDelta}`
        // Logged under the user whose balance moved, so they can see it in their own logs.
        context.logWriter.write({
          type: 'manage',
          userId: id,
          username: row.username,
          quota: row.quota - target.quota,
          content: `quota ${how} by ${actor.username}${update.reason ? `: ${update.reason}` : ''}`,
          details: { actorId: actor.id, actorUsername: actor.username, before: target.quota, after: row.quota, reason: update.reason ?? null },
        })
      }
      return toUserView(row)
    },

    /** A filtered page of users, newest first unless sorted otherwise. */
    async list(query: UserListQuery) {
      await context.ledger.sync()
      return listUsers(db, query)
    },

    /** Deletes a user with their API keys, sessions and linked sign-ins; log rows stay, with the username. */
    async remove(actor: Actor, id: number): Promise<void> {
      const target = await find(id)
      checkDeleteAllowed(actor, target)
      const removed = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id })
      if (removed.length === 0) throw new GatewayError(404, 'not_found', `User ${id} does not exist`)
      await Promise.all([context.bus.publish('users'), context.bus.publish('tokens'), context.bus.publish('access-tokens')])
      audit(actor, `user ${id} "${target.username}" deleted`, { targetUserId: id, role: target.role })
    },

    /** Gives a user a random password (returned once), signs them out everywhere and asks them to choose their own. */
    async resetPassword(actor: Actor, id: number): Promise<{ password: string }> {
      const target = await find(id)
      checkUpdateAllowed(actor, target, { password: 'reset' })
      const password = randomKey(RESET_PASSWORD_LENGTH)
      const passwordHash = await hashPassword(password)
      await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash, passwordChangeRequired: true, updatedAt: sql`now()` }).where(eq(users.id, id))
        await tx.delete(accessTokens).where(eq(accessTokens.userId, id))
      })
      await context.bus.publish('access-tokens')
      await context.bus.publish('users')
      audit(actor, `user ${id} "${target.username}" password reset`, { targetUserId: id })
      return { password }
    },
  }
}
