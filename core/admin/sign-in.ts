import { Elysia, t } from 'elysia'
import { eq } from 'drizzle-orm'
import { accessTokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { checkIpLimit, failOpen, rateLimited } from '../relay/rate-limits.ts'
import { clearedSessionCookies, isSecureRequest, sessionCookies } from './session-cookie.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import { LoginRequest, LoginResponse } from '../../schemas/admin/users.ts'
import { bearerToken } from './auth.ts'
import { verifySecondFactor } from './two-factor.ts'
import { access, adminBase, signedIn, withErrors, type AdminDeps } from './http.ts'

/** How long a login access token lasts. */
export const LOGIN_TOKEN_DAYS = 7
/** Failed sign-ins for one account that lock it for the rest of the window. */
const LOCKOUT_FAILURES = 5
const LOCKOUT_WINDOW_MS = 15 * 60_000

/** A hash to verify against when the username is unknown, so timing does not reveal which usernames exist. */
let decoyHash: Promise<string> | undefined
function decoy(): Promise<string> {
  decoyHash ??= Bun.password.hash(randomKey(24), { algorithm: 'argon2id' })
  return decoyHash
}

/** Password sign-in, answered with a bearer access token for the admin API; and sign-out. */
export function signInRoutes(deps: AdminDeps) {
  const { context } = deps
  const db = context.database.db
  return new Elysia()
    .use(adminBase(deps))
    .post('/auth/login', async ({ body, clientIp, request, set }) => {
      const perMinute = context.options.get().rateLimits.loginPerIpPerMinute
      const warn = (error: unknown) => context.logger.log('warn', 'rate limit store unavailable', { error: String(error) })
      await failOpen(() => checkIpLimit(context.limiter, 'login', clientIp, perMinute), undefined, warn)
      const failures = `login-failures:${body.username.toLowerCase()}`
      const lockout = await failOpen(() => context.limiter.peek(failures, LOCKOUT_FAILURES, LOCKOUT_WINDOW_MS), undefined, warn)
      if (lockout && !lockout.allowed) throw rateLimited(lockout, `${LOCKOUT_FAILURES} failed sign-ins for this account in ${LOCKOUT_WINDOW_MS / 60_000} minutes; the account is locked for a while`)
      const [user] = await db.select().from(users).where(eq(users.username, body.username))
      const valid = await Bun.password.verify(body.password, user?.passwordHash ?? (await decoy()))
      if (!user || !user.passwordHash || !valid) {
        await failOpen(() => context.limiter.record(failures, LOCKOUT_WINDOW_MS), undefined, warn)
        throw new GatewayError(401, 'unauthorized', 'Wrong username or password')
      }
      if (user.status !== 'enabled') throw new GatewayError(403, 'forbidden', 'This account is disabled')
      if (user.totpEnabled) {
        if (!body.code) throw new GatewayError(401, 'totp_required', 'Two-factor sign-in is on: send the code from your authenticator app (or a recovery code) as "code"', { param: 'code' })
        if (!(await verifySecondFactor(context, user, body.code))) throw new GatewayError(401, 'unauthorized', 'Wrong or already used two-factor code', { param: 'code' })
      }
      const accessToken = `hat_${randomKey(40)}`
      const expiresAt = new Date(context.now().getTime() + LOGIN_TOKEN_DAYS * 86_400_000)
      await db.insert(accessTokens).values({ userId: user.id, name: body.session ? 'session' : 'login', tokenHash: sha256Hex(accessToken), expiresAt })
      if (body.session) {
        set.headers['set-cookie'] = sessionCookies({ token: accessToken, csrf: randomKey(32), secret: context.config.sessionSecret, maxAgeSeconds: LOGIN_TOKEN_DAYS * 86_400, secure: isSecureRequest(request) }) as unknown as string
      }
      context.logWriter.write({ type: 'login', userId: user.id, username: user.username, ip: clientIp, content: `signed in with password${body.session ? ' (session cookie)' : ''}` })
      return { accessToken, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username, role: user.role, group: user.group } }
    }, {
      ...access('public', { operationId: 'login', tags: ['auth'], summary: 'Sign in with username and password; returns a bearer access token valid 7 days' }, LoginRequest),
      response: withErrors({ 200: LoginResponse }),
    })
    .post('/auth/logout', async ({ actor, request, set, sessionToken }) => {
      signedIn(actor)
      const token = bearerToken(request.headers.get('authorization')) ?? sessionToken
      if (token) await db.delete(accessTokens).where(eq(accessTokens.tokenHash, sha256Hex(token)))
      await context.bus.publish('access-tokens')
      if (sessionToken) set.headers['set-cookie'] = clearedSessionCookies() as unknown as string
      set.status = 204
      return undefined
    }, {
      ...access('user', { operationId: 'logout', tags: ['auth'], summary: 'Revoke the access token this request was made with' }),
      response: withErrors({ 204: t.Void() }),
    })
}
