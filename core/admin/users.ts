import { Elysia } from 'elysia'
import { IdParams, Page } from '../../schemas/admin/common.ts'
import { UserCreate, UserListQuery, UserUpdate, UserView } from '../../schemas/admin/users.ts'
import { access, adminBase, signedIn, withErrors, type AdminDeps } from './http.ts'
import { createUserService } from './user-service.ts'

const tags = ['users']

/** User administration (admin+), and each user's own record at /users/me. */
export function userRoutes(deps: AdminDeps) {
  const service = createUserService(deps.context)
  return new Elysia()
    .use(adminBase(deps))
    .get('/users/me', ({ actor }) => service.get(signedIn(actor).id), {
      ...access('user', { operationId: 'getCurrentUser', tags, summary: 'The signed-in user' }),
      response: withErrors({ 200: UserView }),
    })
    .post('/users', async ({ actor, body, set }) => {
      const created = await service.create(signedIn(actor), body)
      set.status = 201
      return created
    }, {
      ...access('admin', { operationId: 'createUser', tags, summary: 'Create a user (only root may create admins)' }, UserCreate),
      response: withErrors({ 201: UserView }),
    })
    .get('/users', ({ query }) => service.list(query), {
      ...access('admin', { operationId: 'listUsers', tags, summary: 'List users (filters: q, role, status, group)' }),
      query: UserListQuery, response: withErrors({ 200: Page(UserView) }),
    })
    .get('/users/:id', ({ params }) => service.get(params.id), {
      ...access('admin', { operationId: 'getUser', tags, summary: 'Read a user' }),
      params: IdParams, response: withErrors({ 200: UserView }),
    })
    .patch('/users/:id', ({ actor, params, body }) => service.update(signedIn(actor), params.id, body), {
      ...access('admin', { operationId: 'updateUser', tags, summary: 'Update a user: profile, status, role (root only), password, quota or quotaDelta' }, UserUpdate),
      params: IdParams, response: withErrors({ 200: UserView }),
    })
}
