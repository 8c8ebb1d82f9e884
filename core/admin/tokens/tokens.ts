import { Elysia, t } from 'elysia'
import { IdParams, Page } from '../../../schemas/admin/common.ts'
import { TokenCreate, TokenCreated, TokenListQuery, TokenUpdate, TokenView } from '../../../schemas/admin/tokens.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { createTokenService, toTokenView } from './token-service.ts'

const tags = ['tokens']

/** Relay API keys: every signed-in user manages their own, admins anyone's. The key is shown once, stored as a hash. */
export function tokenRoutes(deps: AdminDeps) {
  const store = createTokenService(deps.context)
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/tokens',
      async ({ actor, body, set }) => {
        const created = await store.create(actor, body)
        set.status = 201
        return created
      },
      {
        ...access('user', { operationId: 'createToken', tags, summary: 'Create an API key (the key is returned this once)' }, TokenCreate),
        response: withErrors({ 201: TokenCreated }),
      },
    )
    .get('/tokens', ({ actor, query }) => store.list(actor, query), {
      ...access('user', { operationId: 'listTokens', tags, summary: 'List API keys: your own; admins may pass userId or all=true (sort)' }),
      query: TokenListQuery,
      response: withErrors({ 200: Page(TokenView) }),
    })
    .get('/tokens/:id', async ({ actor, params }) => toTokenView(await store.owned(actor, params.id)), {
      ...access('user', { operationId: 'getToken', tags, summary: 'Read an API key (preview only)' }),
      params: IdParams,
      response: withErrors({ 200: TokenView }),
    })
    .patch('/tokens/:id', ({ actor, params, body }) => store.update(actor, params.id, body), {
      ...access('user', { operationId: 'updateToken', tags, summary: 'Update an API key' }, TokenUpdate),
      params: IdParams,
      response: withErrors({ 200: TokenView }),
    })
    .delete(
      '/tokens/:id',
      async ({ actor, params, set }) => {
        await store.remove(actor, params.id)
        set.status = 204
        return undefined
      },
      {
        ...access('user', { operationId: 'deleteToken', tags, summary: 'Delete an API key' }),
        params: IdParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
}
