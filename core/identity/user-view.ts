import type { ChangeBus } from '../cache/change-bus.ts'
import type { Db } from '../db/client.ts'
import { users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { UserView } from '../../schemas/admin/users.ts'
import { uniqueViolationOf } from '../http/errors.ts'
import { iso } from '../http/api-base.ts'

// How a user record is shown and how a clash on its unique fields is told, shared by the sign-in
// routes (setup, registration, own account) and the admin user service.

/** A row of the users table. */
export type UserRow = typeof users.$inferSelect

/** The columns a new user is written with (the rest take the table's defaults). */
export type NewUser = typeof users.$inferInsert

/** Shows a user without secrets (never the password hash). */
export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    email: row.email,
    role: row.role,
    group: row.group,
    quota: row.quota,
    usedQuota: row.usedQuota,
    requestCount: row.requestCount,
    status: row.status,
    passwordChangeRequired: row.passwordChangeRequired,
    twoFactorEnabled: row.totpEnabled,
    createdAt: iso(row.createdAt) ?? '',
    updatedAt: iso(row.updatedAt) ?? '',
  }
}

/**
 * The 409 for a write that hit one of the users table's unique indexes (username, or email ignoring
 * case), naming the field; any other error is passed through unchanged.
 */
export function userConflict(error: unknown, values: { username?: string; email?: string | null }): unknown {
  const index = uniqueViolationOf(error)
  if (index === undefined) return error
  if (index === 'users_email_lower_unique') return new GatewayError(409, 'conflict', 'email: another account uses this address', { param: 'email' })
  return new GatewayError(409, 'conflict', `username: "${values.username ?? ''}" is taken`, { param: 'username' })
}

/**
 * Writes a new user and tells the caches (`users`): the one insert behind admin creation and self
 * registration, so a clash on username or email is the same 409 from both.
 */
export async function insertUser(db: Db, bus: ChangeBus, values: NewUser & { username: string }): Promise<UserRow> {
  const row = await db
    .insert(users)
    .values(values)
    .returning()
    .then(
      (rows) => rows[0]!,
      (error: unknown) => {
        throw userConflict(error, values)
      },
    )
  await bus.publish('users')
  return row
}
