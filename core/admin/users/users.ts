import { Elysia, t } from 'elysia'
import { IdParams, Page } from '../../../schemas/admin/common.ts'
import { PasswordReset, UserCreate, UserListQuery, UserUpdate, UserView } from '../../../schemas/admin/users.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { createUserService } from './user-service.ts'

const tags = ['users']

/** User administration (admin+); each user's own record at /users/me is in core/identity/own-account-routes.ts. */
export function userRoutes(deps: AdminDeps) {
  const service = createUserService(deps.context)
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/users',
      async ({ actor, body, set }) => {
        const created = await service.create(actor, body)
        set.status = 201
        return created
      },
      {
        ...access('admin', { operationId: 'createUser', tags, summary: 'Create a user (only root may create admins)' }, UserCreate),
        response: withErrors({ 201: UserView }),
      },
    )
    .get('/users', ({ query }) => service.list(query), {
      ...access('admin', { operationId: 'listUsers', tags, summary: 'List users (filters: q, role, status, group; sort)' }),
      query: UserListQuery,
      response: withErrors({ 200: Page(UserView) }),
    })
    .get('/users/:id', ({ params }) => service.get(params.id), {
      ...access('admin', { operationId: 'getUser', tags, summary: 'Read a user' }),
      params: IdParams,
      response: withErrors({ 200: UserView }),
    })
    .patch('/users/:id', ({ actor, params, body }) => service.update(actor, params.id, body), {
      ...access(
        'admin',
        { operationId: 'updateUser', tags, summary: 'Update a user: profile, status, role (root only), password, quota or quotaDelta' },
        UserUpdate,
      ),
      params: IdParams,
      response: withErrors({ 200: UserView }),
    })
    .delete(
      '/users/:id',
      async ({ actor, params, set }) => {
        await service.remove(actor, params.id)
        set.status = 204
        return undefined
      },
      {
        ...access('admin', {
          operationId: 'deleteUser',
          tags,
          summary: 'Delete a user with their API keys and sessions (never root; admins only by root); log rows keep the username',
        }),
        params: IdParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
    .post(
      '/users/:id/reset-password',
      async ({ actor, params, set }) => {
        set.headers['cache-control'] = 'no-store'
        return service.resetPassword(actor, params.id)
      },
      {
        ...access('admin', {
          operationId: 'resetUserPassword',
          tags,
          summary: 'Give a user a random password (shown once), sign them out everywhere and ask them to choose their own',
        }),
        params: IdParams,
        response: withErrors({ 200: PasswordReset }),
      },
    )
}
