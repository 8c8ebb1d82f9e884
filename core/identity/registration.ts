import { Elysia } from 'elysia'
import { GatewayError } from '../errors.ts'
import { LoginResponse } from '../../schemas/admin/users.ts'
import { RegisterRequest } from '../../schemas/admin/sign-in.ts'
import { emailTaken, usernameTaken } from './external-sign-in.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { answerLogin, guardSignIn } from './login-session.ts'
import { hashPassword } from '../security/password.ts'
import { insertUser } from './user-view.ts'

/** Self-service registration (when the sign-in settings allow it): a new user, signed in at once. */
export function registrationRoutes(deps: IdentityDeps) {
  const { context } = deps
  const db = context.database.db
  return new Elysia().use(apiBase(deps)).post(
    '/auth/register',
    async ({ body, clientIp, request, set }) => {
      await guardSignIn(context, clientIp)
      const settings = await deps.signIn.get()
      if (!settings.registrationEnabled) throw new GatewayError(403, 'registration_closed', 'Registration is closed: ask an administrator for an account')
      const taken = () => new GatewayError(409, 'conflict', `username: "${body.username}" is taken`, { param: 'username' })
      if (await usernameTaken(db, body.username)) throw taken()
      if (body.email && (await emailTaken(db, body.email)))
        throw new GatewayError(409, 'conflict', 'email: another account uses this address', { param: 'email' })
      const values = {
        username: body.username,
        passwordHash: await hashPassword(body.password),
        displayName: body.displayName ?? body.username,
        email: body.email ?? null,
        quota: context.options.get().newUserQuota,
      }
      const user = await insertUser(db, context.bus, values)
      context.logWriter.write({
        type: 'manage',
        userId: user.id,
        username: user.username,
        ip: clientIp,
        content: `user ${user.id} "${user.username}" registered`,
        details: { quota: user.quota },
      })
      const login = await answerLogin(
        context,
        user,
        { request, set, clientIp },
        {
          session: body.session === true,
          how: `signed in after registering${body.session ? ' (session cookie)' : ''}`,
        },
      )
      set.status = 201
      return login
    },
    {
      ...access(
        'public',
        {
          operationId: 'register',
          tags: ['auth'],
          summary: 'Create an account (when registration is open) and sign in; new users start with the newUserQuota option',
        },
        RegisterRequest,
      ),
      response: withErrors({ 201: LoginResponse }),
    },
  )
}
