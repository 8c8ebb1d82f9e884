import { Elysia } from 'elysia'
import { and, eq, sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { accessTokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { SystemOptionValues } from '../options.ts'
import { LoginResponse, SetupRequest } from '../../schemas/admin/users.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { guardSignIn, issueLogin } from './login-session.ts'
import { isSecureRequest } from '../http/session-cookie.ts'
import { hashPassword, verifyPassword } from '../security/password.ts'
import { userConflict } from './user-view.ts'

/** True while the root user still has the password printed on first start (first-run setup not done). */
export async function setupRequired(context: AppContext): Promise<boolean> {
  const [root] = await context.database.db.select({ pending: users.passwordChangeRequired }).from(users).where(eq(users.role, 'root')).limit(1)
  return root?.pending === true
}

/** The option changes the setup form asks for, as a partial update. */
function optionPatch(current: SystemOptionValues, body: SetupRequest): Partial<SystemOptionValues> {
  return {
    ...(body.siteName === undefined ? {} : { general: { ...current.general, siteName: body.siteName } }),
    ...(body.selfUseMode === undefined ? {} : { selfUseMode: body.selfUseMode }),
  }
}

/**
 * First-run setup: whoever holds the password printed on first start names root, replaces that
 * password and the site name, and is signed in as root. Answers 409 once done; wrong bootstrap
 * passwords count toward root's sign-in lockout, and the per-address sign-in rate applies.
 */
export function setupRoutes(deps: IdentityDeps) {
  const { context } = deps
  const db = context.database.db
  return new Elysia().use(apiBase(deps)).post(
    '/setup',
    async ({ body, clientIp, request, set }) => {
      const [root] = await db.select().from(users).where(eq(users.role, 'root')).limit(1)
      const recordFailure = await guardSignIn(context, clientIp, root?.username)
      if (!root?.passwordChangeRequired || !root.passwordHash) throw new GatewayError(409, 'conflict', 'Setup is already complete; sign in instead')
      if (!(await verifyPassword(body.bootstrapPassword, root.passwordHash))) {
        await recordFailure()
        throw new GatewayError(403, 'forbidden', 'bootstrapPassword: not the password printed on first start', { param: 'bootstrapPassword' })
      }
      if (body.password === body.bootstrapPassword)
        throw new GatewayError(400, 'invalid_request', 'password: choose a password other than the printed one', { param: 'password' })
      const passwordHash = await hashPassword(body.password)
      const updated = await db
        .update(users)
        .set({ username: body.username ?? root.username, passwordHash, passwordChangeRequired: false, updatedAt: sql`now()` })
        .where(and(eq(users.id, root.id), eq(users.passwordChangeRequired, true)))
        .returning()
        .catch((error: unknown) => {
          throw userConflict(error, { username: body.username })
        })
      const user = updated[0]
      if (!user) throw new GatewayError(409, 'conflict', 'Setup is already complete; sign in instead')
      // Sessions opened with the printed password end with it.
      await db.delete(accessTokens).where(eq(accessTokens.userId, user.id))
      await context.bus.publish('users')
      await context.bus.publish('access-tokens')
      const patch = optionPatch(context.options.get(), body)
      if (Object.keys(patch).length > 0) await context.options.update(patch)
      context.logWriter.write({
        type: 'manage',
        userId: user.id,
        username: user.username,
        ip: clientIp,
        content: `first-run setup: root password replaced${user.username === root.username ? '' : `, username ${root.username} → ${user.username}`}`,
        details: { username: user.username, ...patch },
      })
      const issued = await issueLogin(context, user, { session: true, secure: isSecureRequest(request) })
      set.headers['set-cookie'] = issued.cookies as unknown as string
      context.logWriter.write({
        type: 'login',
        userId: user.id,
        username: user.username,
        ip: clientIp,
        content: 'signed in with first-run setup (session cookie)',
      })
      return issued.body
    },
    {
      ...access(
        'public',
        {
          operationId: 'completeSetup',
          tags: ['setup'],
          summary: 'First-run setup with the printed password: name root, choose its password and the site name; signs in as root',
        },
        SetupRequest,
      ),
      response: withErrors({ 200: LoginResponse }),
    },
  )
}
