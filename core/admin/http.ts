import { Elysia } from 'elysia'
import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import { authorize, createActorResolver, type Actor, type ActorResolver, type RequiredRole } from './auth.ts'
import { errorResponses } from '../../schemas/admin/common.ts'

/** What every admin route module receives. */
export interface AdminDeps {
  context: AppContext
  resolver: ActorResolver
}

/** Builds the shared dependencies once for all admin modules. */
export function createAdminDeps(context: AppContext): AdminDeps {
  return { context, resolver: createActorResolver(context) }
}

/** Body of an admin error response. */
export function adminErrorBody(code: string, message: string, field?: string) {
  return { error: field === undefined ? { code, message } : { code, message, field } }
}

/** `/priority` or `/models/0` → `priority` / `models.0`. */
function fieldOf(path: string | undefined): string | undefined {
  const field = (path ?? '').split('/').filter(Boolean).join('.')
  return field === '' ? undefined : field
}

interface ValidationLike {
  all?: Array<{ path?: string; message?: string; summary?: string }>
  type?: string
}

/** Maps everything an admin route can throw to the admin error shape with the right status. */
function renderAdminError(code: string | number, error: unknown, set: { status?: number | string }) {
  if (error instanceof GatewayError) {
    set.status = error.status
    return adminErrorBody(error.code, error.message, error.param)
  }
  if (code === 'VALIDATION') {
    const first = (error as ValidationLike).all?.[0]
    const field = fieldOf(first?.path)
    const where = (error as ValidationLike).type === 'query' ? 'query' : (error as ValidationLike).type === 'params' ? 'path' : 'body'
    set.status = 400
    const reason = first?.message ?? first?.summary ?? 'invalid value'
    return adminErrorBody('invalid_request', `${field ?? where}: ${reason}`, field)
  }
  if (code === 'PARSE') {
    set.status = 400
    return adminErrorBody('invalid_json', 'Request body is not valid JSON')
  }
  if (code === 'NOT_FOUND') {
    set.status = 404
    return adminErrorBody('not_found', 'No such route')
  }
  set.status = 500
  return adminErrorBody('internal_error', 'Internal error; see the gateway log')
}

/** The base every admin module uses: the caller's actor, and errors in the admin shape. */
export function adminBase(deps: AdminDeps) {
  return new Elysia({ normalize: false })
    .derive({ as: 'scoped' }, async ({ request }): Promise<{ actor: Actor | undefined }> => ({
      actor: await deps.resolver.resolve(request.headers.get('authorization')),
    }))
    .onError({ as: 'scoped' }, ({ code, error, set }) => {
      const body = renderAdminError(code, error, set)
      if (set.status === 500) deps.context.logger.log('error', 'admin route failed', { error: error instanceof Error ? error.stack ?? error.message : String(error) })
      return body
    })
}

/** Route options declaring who may call it (checked before the handler) and how it appears in OpenAPI. */
export function access(role: RequiredRole, doc: { operationId: string; tags: string[]; summary: string }) {
  return {
    beforeHandle({ actor }: { actor: Actor | undefined }) {
      authorize(actor, role)
    },
    detail: {
      ...doc,
      'x-required-role': role,
      security: role === 'public' ? [] : [{ bearerAuth: [] }],
    },
  }
}

/** A route's success schemas plus the admin error responses. */
export function withErrors<T extends Record<number, unknown>>(success: T): T & typeof errorResponses {
  return { ...errorResponses, ...success }
}

/** The actor of a route whose access rule already required one. */
export function signedIn(actor: Actor | undefined): Actor {
  if (!actor) throw new GatewayError(401, 'unauthorized', 'Sign in first')
  return actor
}

/** ISO string for a date column, keeping nulls. */
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null
}
