import { Elysia, t } from 'elysia'
import { eq } from 'drizzle-orm'
import { accessTokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { checkIpLimit, failOpen } from '../relay/rate-limits.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import { LoginRequest, LoginResponse } from '../../schemas/admin/users.ts'
import { bearerToken } from './auth.ts'
import { verifySecondFactor } from './two-factor.ts'
import { access, adminBase, signedIn, withErrors, type AdminDeps } from './http.ts'

/** How long a login access token lasts. */
export const LOGIN_TOKEN_DAYS = 7

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
    .post('/auth/login', async ({ body, clientIp }) => {
      const perMinute = context.options.get().rateLimits.loginPerIpPerMinute
      await failOpen(() => checkIpLimit(context.limiter, 'login', clientIp, perMinute), undefined, (error) => context.logger.log('warn', 'rate limit store unavailable', { error: String(error) }))
      const [user] = await db.select().from(users).where(eq(users.username, body.username))
      const valid = await Bun.password.verify(body.password, user?.passwordHash ?? (await decoy()))
      if (!user || !user.passwordHash || !valid) throw new GatewayError(401, 'unauthorized', 'Wrong username or password')
      if (user.status !== 'enabled') throw new GatewayError(403, 'forbidden', 'This account is disabled')
      if (user.totpEnabled) {
        if (!body.code) throw new GatewayError(401, 'totp_required', 'Two-factor sign-in is on: send the code from your authenticator app (or a recovery code) as "code"', { param: 'code' })
        if (!(await verifySecondFactor(context, user, body.code))) throw new GatewayError(401, 'unauthorized', 'Wrong or already used two-factor code', { param: 'code' })
      }
      const accessToken = `hat_${randomKey(40)}`
      const expiresAt = new Date(context.now().getTime() + LOGIN_TOKEN_DAYS * 86_400_000)
      await db.insert(accessTokens).values({ userId: user.id, name: 'login', tokenHash: sha256Hex(accessToken), expiresAt })
      context.logWriter.write({ type: 'login', userId: user.id, username: user.username, content: 'signed in with password' })
      return { accessToken, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username, role: user.role, group: user.group } }
    }, {
      ...access('public', { operationId: 'login', tags: ['auth'], summary: 'Sign in with username and password; returns a bearer access token valid 7 days' }, LoginRequest),
      response: withErrors({ 200: LoginResponse }),
    })
    .post('/auth/logout', async ({ actor, request, set }) => {
      signedIn(actor)
      const token = bearerToken(request.headers.get('authorization'))
      if (token) await db.delete(accessTokens).where(eq(accessTokens.tokenHash, sha256Hex(token)))
      await context.bus.publish('access-tokens')
      set.status = 204
      return undefined
    }, {
      ...access('user', { operationId: 'logout', tags: ['auth'], summary: 'Revoke the access token this request was made with' }),
      response: withErrors({ 204: t.Void() }),
    })
}
