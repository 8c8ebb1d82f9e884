import { Elysia, t } from 'elysia'
import { eq } from 'drizzle-orm'
import { accessTokens } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { clearedSessionCookies } from '../http/session-cookie.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import { hashPassword, verifyPassword } from '../security/password.ts'
import { answerLogin, findSignInUser, guardSignIn } from './login-session.ts'
import { LoginRequest, LoginResponse } from '../../schemas/admin/users.ts'
import { bearerToken } from '../http/actor.ts'
import { verifySecondFactor } from './two-factor.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'

/** A hash to verify against when the username is unknown, so timing does not reveal which usernames exist. */
let decoyHash: Promise<string> | undefined
function decoy(): Promise<string> {
  decoyHash ??= hashPassword(randomKey(24))
  return decoyHash
}

/** Password sign-in, answered with a bearer access token for the admin API; and sign-out. */
export function signInRoutes(deps: IdentityDeps) {
  const { context } = deps
  const db = context.database.db
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/auth/login',
      async ({ body, clientIp, request, set }) => {
        const recordFailure = await guardSignIn(context, clientIp, body.username)
        const user = await findSignInUser(context, body.username)
        const valid = await verifyPassword(body.password, user?.passwordHash ?? (await decoy()))
        if (!user || !user.passwordHash || !valid) {
          await recordFailure()
          throw new GatewayError(401, 'unauthorized', 'Wrong username or password')
        }
        if (user.status !== 'enabled') throw new GatewayError(403, 'forbidden', 'This account is disabled')
        if (user.totpEnabled) {
          if (!body.code)
            throw new GatewayError(401, 'totp_required', 'Two-factor sign-in is on: send the code from your authenticator app (or a recovery code) as "code"', {
              param: 'code',
            })
          if (!(await verifySecondFactor(context, user, body.code)))
            throw new GatewayError(401, 'unauthorized', 'Wrong or already used two-factor code', { param: 'code' })
        }
        return answerLogin(
          context,
          user,
          { request, set, clientIp },
          {
            session: body.session === true,
            how: `signed in with password${body.session ? ' (session cookie)' : ''}`,
          },
        )
      },
      {
        ...access(
          'public',
          {
            operationId: 'login',
            tags: ['auth'],
            summary: 'Sign in with username (or email address) and password; returns a bearer access token valid 7 days',
          },
          LoginRequest,
        ),
        response: withErrors({ 200: LoginResponse }),
      },
    )
    .post(
      '/auth/logout',
      async ({ actor, request, set, sessionToken }) => {
        actor
        const token = bearerToken(request.headers.get('authorization')) ?? sessionToken
        if (token) await db.delete(accessTokens).where(eq(accessTokens.tokenHash, sha256Hex(token)))
        await context.bus.publish('access-tokens')
        if (sessionToken) set.headers['set-cookie'] = clearedSessionCookies() as unknown as string
        set.status = 204
        return undefined
      },
      {
        ...access('user', { operationId: 'logout', tags: ['auth'], summary: 'Revoke the access token this request was made with' }),
        response: withErrors({ 204: t.Void() }),
      },
    )
}
