import { Elysia } from 'elysia'
import { GatewayError } from '../errors.ts'
import { access, apiBase, type ApiDeps } from './api-base.ts'

/** Unknown paths under /api answer 404 in the admin error shape instead of Elysia's plain text. */
export function notFoundRoutes(deps: ApiDeps) {
  return new Elysia().use(apiBase(deps)).all(
    '/*',
    ({ request }) => {
      throw new GatewayError(404, 'not_found', `No route ${request.method} ${new URL(request.url).pathname}`)
    },
    {
      ...access('public', { operationId: 'adminNotFound', tags: ['meta'], summary: 'Fallback for unknown admin paths', hide: true }),
    },
  )
}
