import { eq, sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { accessTokens, users, type UserRole } from '../db/schema.ts'
import { checkIpLimit, failOpen, rateLimited, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import { isSecureRequest, sessionCookies } from '../http/session-cookie.ts'

/** How long a login access token lasts. */
export const LOGIN_TOKEN_DAYS = 7
/** Failed sign-ins for one account that lock it for the rest of the window. */
const LOCKOUT_FAILURES = 5
const LOCKOUT_WINDOW_MS = 15 * 60_000

/**
 * The brute-force guard every sign-in step shares: counts the attempt against the per-IP limit
 * (429 when used up) and, for a named account, refuses it while failures have locked it. Returns the
 * function that records one more failure for that account. A limit store outage lets attempts through.
 */
export async function guardSignIn(context: AppContext, clientIp: string | undefined, account?: string): Promise<() => Promise<void>> {
  const warn = warnLimitStoreDown(context.logger)
  await failOpen(() => checkIpLimit(context.limiter, 'login', clientIp, context.options.get().rateLimits.loginPerIpPerMinute), undefined, warn)
  if (account === undefined) return async () => {}
  const failures = `login-failures:${account.toLowerCase()}`
  const lockout = await failOpen(() => context.limiter.peek(failures, LOCKOUT_FAILURES, LOCKOUT_WINDOW_MS), undefined, warn)
  if (lockout && !lockout.allowed)
    throw rateLimited(
      lockout,
      `${LOCKOUT_FAILURES} failed sign-ins for this account in ${LOCKOUT_WINDOW_MS / 60_000} minutes; the account is locked for a while`,
    )
  return () => failOpen(() => context.limiter.record(failures, LOCKOUT_WINDOW_MS), undefined, warn)
}

/**
 * The user a password sign-in names: by username, or by email address when the name contains `@`
 * (usernames cannot). An address shared by several accounts signs none of them in.
 */
export async function findSignInUser(context: AppContext, name: string): Promise<typeof users.$inferSelect | undefined> {
  const db = context.database.db
  if (!name.includes('@')) return (await db.select().from(users).where(eq(users.username, name)))[0]
  const matches = await db.select().from(users).where(sql`lower(${users.email}) = ${name.toLowerCase()}`).limit(2)
  return matches.length === 1 ? matches[0] : undefined
}

/** What every way of signing in answers with: a bearer access token and who it belongs to. */
export interface IssuedLogin {
  /** The body of a successful sign-in. */
  body: { accessToken: string; expiresAt: string; user: { id: number; username: string; role: UserRole; group: string } }
  /** Set-Cookie values for the session and CSRF cookies, when a session was asked for. */
  cookies: string[] | undefined
}

/**
 * Creates a login access token (stored hashed, valid LOGIN_TOKEN_DAYS) for a user who has passed
 * every check, and with `session` the HttpOnly session cookie and CSRF cookie the dashboard uses.
 */
export async function issueLogin(context: AppContext, user: typeof users.$inferSelect, options: { session: boolean; secure: boolean }): Promise<IssuedLogin> {
  const accessToken = `hat_${randomKey(40)}`
  const expiresAt = new Date(context.now().getTime() + LOGIN_TOKEN_DAYS * 86_400_000)
  await context.database.db
    .insert(accessTokens)
    .values({ userId: user.id, name: options.session ? 'session' : 'login', tokenHash: sha256Hex(accessToken), expiresAt })
  const cookies = options.session
    ? sessionCookies({
        token: accessToken,
        csrf: randomKey(32),
        secret: context.config.sessionSecret,
        maxAgeSeconds: LOGIN_TOKEN_DAYS * 86_400,
        secure: options.secure,
      })
    : undefined
  return {
    body: { accessToken, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username, role: user.role, group: user.group } },
    cookies,
  }
}

/** What a sign-in route hands over to answer: its request (the cookies' Secure flag), Elysia's `set` and the caller's address (for the log). */
export interface LoginRoute {
  request: Request
  set: { headers: Record<string, unknown> }
  clientIp: string | undefined
}

/**
 * A sign-in route's last step, the same for every way of signing in: the login is issued, its cookies
 * (and `extraCookies`, e.g. one clearing a pending sign-in) are set, and the 'login' log row says `how`.
 */
export async function answerLogin(
  context: AppContext,
  user: typeof users.$inferSelect,
  route: LoginRoute,
  options: { session: boolean; how: string; extraCookies?: string[] },
): Promise<IssuedLogin['body']> {
  const login = await issueLogin(context, user, { session: options.session, secure: isSecureRequest(route.request) })
  const cookies = [...(login.cookies ?? []), ...(options.extraCookies ?? [])]
  if (cookies.length > 0) route.set.headers['set-cookie'] = cookies
  context.logWriter.write({ type: 'login', userId: user.id, username: user.username, ip: route.clientIp, content: options.how })
  return login.body
}
