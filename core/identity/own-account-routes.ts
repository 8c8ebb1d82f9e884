import { Elysia, t } from 'elysia'
import { PasswordChange, ProfileUpdate, UserView } from '../../schemas/admin/users.ts'
import { bearerToken } from '../http/actor.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { changeOwnPassword, readOwnAccount, updateOwnProfile } from './own-account.ts'

const tags = ['users']

/** Each signed-in user's own record at /users/me: read it, change the profile, change the password. */
export function ownAccountRoutes(deps: IdentityDeps) {
  return new Elysia()
    .use(apiBase(deps))
    .get('/users/me', ({ actor }) => readOwnAccount(deps.context, actor), {
      ...access('user', { operationId: 'getCurrentUser', tags, summary: 'The signed-in user' }),
      response: withErrors({ 200: UserView }),
    })
    .patch('/users/me', ({ actor, body }) => updateOwnProfile(deps.context, actor, body), {
      ...access('user', { operationId: 'updateCurrentUser', tags, summary: 'Change your display name or email' }, ProfileUpdate),
      response: withErrors({ 200: UserView }),
    })
    .post(
      '/users/me/password',
      async ({ actor, body, request, sessionToken, set }) => {
        await changeOwnPassword(deps.context, actor, bearerToken(request.headers.get('authorization')) ?? sessionToken, body)
        set.status = 204
        return undefined
      },
      {
        ...access(
          'user',
          { operationId: 'changePassword', tags, summary: 'Change your password (needs the current one); signs out your other sessions and access tokens' },
          PasswordChange,
        ),
        response: withErrors({ 204: t.Void() }),
      },
    )
}
