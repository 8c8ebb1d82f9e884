import { Elysia } from 'elysia'
import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { failOpen, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { randomKey } from '../security/crypto.ts'
import { LoginResponse } from '../../schemas/admin/users.ts'
import { TwoFactorSignInRequest } from '../../schemas/admin/sign-in.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { answerLogin, guardSignIn } from './login-session.ts'
import { clearedCookie, sealedCookie } from './oauth-state.ts'
import { parseCookies } from '../http/session-cookie.ts'
import { verifySecondFactor } from './two-factor.ts'

// A provider proves who the user is, but a user with two-factor sign-in on must still give a code.
// The provider step ends with a pending-login ticket instead of a session: a sealed HttpOnly cookie
// (user, method, expiry) that only POST /api/auth/login/two-factor reads. The ticket is single-use
// across replicas (consumed through the shared limiter) and wrong codes count towards the account
// lockout, like password sign-in.

const PENDING_COOKIE = 'hanggent_pending_login'
const PENDING_PATH = '/api/auth/login'
const PENDING_SECONDS = 300

interface PendingLogin {
  userId: number
  /** How the first step was passed ("GitHub", "Telegram"), for the audit log. */
  method: string
  /** Random id that makes the ticket single-use. */
  id: string
  expiresAt: number
}

/** Set-Cookie of a new pending-login ticket for a user who passed a provider but still owes a code. */
export function pendingLoginCookie(context: AppContext, userId: number, method: string, secure: boolean): string {
  const ticket: PendingLogin = { userId, method, id: randomKey(24), expiresAt: context.now().getTime() + PENDING_SECONDS * 1000 }
  return sealedCookie(PENDING_COOKIE, context.secretBox.seal(JSON.stringify(ticket)), { path: PENDING_PATH, maxAgeSeconds: PENDING_SECONDS, secure })
}

function openTicket(context: AppContext, sealed: string | undefined): PendingLogin | undefined {
  if (!sealed) return undefined
  try {
    const ticket = JSON.parse(context.secretBox.open(sealed)) as PendingLogin
    return ticket.expiresAt > context.now().getTime() && Number.isInteger(ticket.userId) ? ticket : undefined
  } catch {
    return undefined
  }
}

/** The second step of a provider sign-in for users with two-factor sign-in on. */
export function pendingLoginRoutes(deps: IdentityDeps) {
  const { context } = deps
  return new Elysia().use(apiBase(deps)).post(
    '/auth/login/two-factor',
    async ({ body, clientIp, request, set }) => {
      const ticket = openTicket(context, parseCookies(request.headers.get('cookie'))[PENDING_COOKIE])
      if (!ticket) throw new GatewayError(401, 'unauthorized', 'No sign-in is waiting for a two-factor code, or it expired: sign in again')
      const [user] = await context.database.db.select().from(users).where(eq(users.id, ticket.userId))
      if (!user) throw new GatewayError(401, 'unauthorized', 'No sign-in is waiting for a two-factor code: sign in again')
      const recordFailure = await guardSignIn(context, clientIp, user.username)
      if (user.status !== 'enabled') throw new GatewayError(403, 'user_disabled', 'This account is disabled')
      const spent = `pending-login:${ticket.id}`
      const warn = warnLimitStoreDown(context.logger)
      const open = { allowed: true, limit: 1, remaining: 1, retryAfterMs: 0 }
      const alreadyUsed = () => new GatewayError(401, 'unauthorized', 'This sign-in was already completed: sign in again')
      // Checked before the code, so a replayed ticket does not use up the user's next code.
      if (!(await failOpen(() => context.limiter.peek(spent, 1, PENDING_SECONDS * 1000), open, warn)).allowed) throw alreadyUsed()
      if (user.totpEnabled && !(await verifySecondFactor(context, user, body.code))) {
        await recordFailure()
        throw new GatewayError(401, 'unauthorized', 'Wrong or already used two-factor code', { param: 'code' })
      }
      // Taken after the code passed: two requests racing with valid codes cannot both sign in.
      if (!(await failOpen(() => context.limiter.take(spent, 1, PENDING_SECONDS * 1000), open, warn)).allowed) throw alreadyUsed()
      return answerLogin(
        context,
        user,
        { request, set, clientIp },
        {
          session: true,
          how: `signed in with ${ticket.method} and a two-factor code (session cookie)`,
          extraCookies: [clearedCookie(PENDING_COOKIE, PENDING_PATH)],
        },
      )
    },
    {
      ...access(
        'public',
        {
          operationId: 'completeTwoFactorSignIn',
          tags: ['auth'],
          summary: 'Finish a provider sign-in with the two-factor code (the pending sign-in travels in an HttpOnly cookie); sets the session cookie',
        },
        TwoFactorSignInRequest,
      ),
      response: withErrors({ 200: LoginResponse }),
    },
  )
}
