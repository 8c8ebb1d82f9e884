import { and, eq, ne, sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { accessTokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { sha256Hex } from '../security/crypto.ts'
import type { PasswordChange, ProfileUpdate, UserView } from '../../schemas/admin/users.ts'
import type { Actor } from '../http/actor.ts'
import { confirmIdentity } from './confirm-identity.ts'
import { hashPassword } from '../security/password.ts'
import { toUserView, userConflict, type UserRow } from './user-view.ts'

async function loadSelf(context: AppContext, actor: Actor): Promise<UserRow> {
  const [row] = await context.database.db.select().from(users).where(eq(users.id, actor.id))
  if (!row) throw new GatewayError(401, 'unauthorized', 'Sign in first')
  return row
}

/** The signed-in user's own record, with charges still on their way applied first. */
export async function readOwnAccount(context: AppContext, actor: Actor): Promise<UserView> {
  await context.ledger.sync()
  const [row] = await context.database.db.select().from(users).where(eq(users.id, actor.id))
  if (!row) throw new GatewayError(404, 'not_found', `User ${actor.id} does not exist`)
  return toUserView(row)
}

/** Changes the signed-in user's display name and email; nothing else about an account is theirs to change. */
export async function updateOwnProfile(context: AppContext, actor: Actor, body: ProfileUpdate): Promise<UserView> {
  await loadSelf(context, actor)
  const [row] = await context.database.db
    .update(users)
    .set({ ...body, updatedAt: sql`now()` })
    .where(eq(users.id, actor.id))
    .returning()
    .catch((error: unknown) => {
      throw userConflict(error, { username: actor.username, email: body.email })
    })
  await context.bus.publish('users')
  return toUserView(row!)
}

/**
 * Replaces the signed-in user's password after checking the current one, clears the "change your
 * password" flag, and signs out every other session and access token; `currentToken` (the one
 * this request came with) keeps working.
 */
export async function changeOwnPassword(context: AppContext, actor: Actor, currentToken: string | undefined, body: PasswordChange): Promise<void> {
  const user = await loadSelf(context, actor)
  await confirmIdentity(context, user, { password: body.currentPassword, passwordField: 'currentPassword', withSecondFactor: false })
  if (body.newPassword === body.currentPassword)
    throw new GatewayError(400, 'invalid_request', 'newPassword: must differ from the current password', { param: 'newPassword' })
  const passwordHash = await hashPassword(body.newPassword)
  await context.database.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, passwordChangeRequired: false, updatedAt: sql`now()` }).where(eq(users.id, user.id))
    const others = currentToken ? and(eq(accessTokens.userId, user.id), ne(accessTokens.tokenHash, sha256Hex(currentToken))) : eq(accessTokens.userId, user.id)
    await tx.delete(accessTokens).where(others)
  })
  await context.bus.publish('access-tokens')
  await context.bus.publish('users')
  context.logWriter.write({ type: 'manage', userId: user.id, username: user.username, content: 'password changed; other sessions signed out' })
}
