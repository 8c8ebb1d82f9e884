import type { AppContext } from '../app-context.ts'
import { accessTokens, users } from '../db/schema.ts'
import { failOpen, rateLimited } from '../relay/rate-limits.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import type { LoginResponse } from '../../schemas/admin/users.ts'
import { isSecureRequest, sessionCookies } from './session-cookie.ts'

/** How long a login access token lasts. */
export const LOGIN_TOKEN_DAYS = 7
/** Failed sign-ins for one account that lock it for the rest of the window. */
const LOCKOUT_FAILURES = 5
const LOCKOUT_WINDOW_MS = 15 * 60_000

type UserRow = typeof users.$inferSelect

function warnOf(context: AppContext) {
  return (error: unknown) => context.logger.log('warn', 'rate limit store unavailable', { error: String(error) })
}

const failuresKey = (username: string) => `login-failures:${username.toLowerCase()}`

/** Throws 429 while the account is locked by too many failed sign-ins. */
export async function checkLockout(context: AppContext, username: string): Promise<void> {
  const lockout = await failOpen(() => context.limiter.peek(failuresKey(username), LOCKOUT_FAILURES, LOCKOUT_WINDOW_MS), undefined, warnOf(context))
  if (lockout && !lockout.allowed) throw rateLimited(lockout, `${LOCKOUT_FAILURES} failed sign-ins for this account in ${LOCKOUT_WINDOW_MS / 60_000} minutes; the account is locked for a while`)
}

/** Counts a failed sign-in (wrong password, wrong bootstrap password) toward the account's lockout. */
export async function recordFailedSignIn(context: AppContext, username: string): Promise<void> {
  await failOpen(() => context.limiter.record(failuresKey(username), LOCKOUT_WINDOW_MS), undefined, warnOf(context))
}

/** A signed-in session: the login answer, and the cookies to set when the caller asked for a session cookie. */
export interface IssuedSession {
  body: LoginResponse
  cookies?: string[]
}

/**
 * Issues a 7-day access token for a user whose credentials were just checked, with the session and
 * CSRF cookies when `session` is set, and writes the `login` log row (`how` says by what means).
 */
export async function issueSession(context: AppContext, user: UserRow, options: { session: boolean; request: Request; clientIp: string | undefined; how: string }): Promise<IssuedSession> {
  const accessToken = `hat_${randomKey(40)}`
  const expiresAt = new Date(context.now().getTime() + LOGIN_TOKEN_DAYS * 86_400_000)
  await context.database.db.insert(accessTokens).values({ userId: user.id, name: options.session ? 'session' : 'login', tokenHash: sha256Hex(accessToken), expiresAt })
  const cookies = options.session
    ? sessionCookies({ token: accessToken, csrf: randomKey(32), secret: context.config.sessionSecret, maxAgeSeconds: LOGIN_TOKEN_DAYS * 86_400, secure: isSecureRequest(options.request) })
    : undefined
  context.logWriter.write({ type: 'login', userId: user.id, username: user.username, ip: options.clientIp, content: `signed in with ${options.how}${options.session ? ' (session cookie)' : ''}` })
  return { body: { accessToken, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username, role: user.role, group: user.group } }, cookies }
}
