import { Elysia } from 'elysia'
import { OptionalKind, type TObject } from '@sinclair/typebox'
import { ValueErrorType } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import type { AppContext } from '../app-context.ts'
import { checkIpLimit, failOpen, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { clientIpOf } from './client-ip.ts'
import { CSRF_COOKIE, CSRF_HEADER, parseCookies, SESSION_COOKIE, verifySessionValue } from './session-cookie.ts'
import { safeEqual } from '../security/crypto.ts'
import { GatewayError } from '../errors.ts'
import { authorize, type Actor, type ActorResolver, type RequiredRole } from './actor.ts'
import { fieldOf, renderAdminError, renderValidationError } from './errors.ts'
import { routeDetail, type RouteDetail, type RouteDoc } from './route-doc.ts'
import { errorResponses } from '../../schemas/admin/common.ts'

/** What the base of every /api route module needs: the shared services and who is calling. */
export interface ApiDeps {
  /** The shared services. */
  context: AppContext
  /** Bearer token → actor, shared so every module uses one cache. */
  resolver: ActorResolver
}

/** The base every /api module uses: the caller's actor, and errors in the admin shape. */
export function apiBase(deps: ApiDeps) {
  return new Elysia()
    .derive(
      { as: 'scoped' },
      async ({ request, server, body, params }): Promise<{ actor: Actor | undefined; clientIp: string | undefined; sessionToken: string | undefined }> => {
        const clientIp = clientIpOf(server, request, deps.context.config.trustedProxies)
        refuseUnstorableValues(request.url, params, body)
        const { context } = deps
        await failOpen(
          () => checkIpLimit(context.limiter, 'admin', clientIp, context.options.get().rateLimits.adminPerIpPerMinute),
          undefined,
          warnLimitStoreDown(context.logger),
        )
        const authorization = request.headers.get('authorization')
        const safeMethod = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS'
        if (authorization) {
          const actor = await deps.resolver.resolve(authorization)
          if (actor?.scope === 'read' && !safeMethod) throw new GatewayError(403, 'forbidden', 'This access token is read-only')
          return { actor, clientIp, sessionToken: undefined }
        }
        const cookies = parseCookies(request.headers.get('cookie'))
        const signed = cookies[SESSION_COOKIE]
        const sessionToken = signed ? verifySessionValue(signed, context.config.sessionSecret) : undefined
        if (!sessionToken) return { actor: undefined, clientIp, sessionToken: undefined }
        const csrf = request.headers.get(CSRF_HEADER)
        if (!safeMethod && (!csrf || !cookies[CSRF_COOKIE] || !safeEqual(csrf, cookies[CSRF_COOKIE] ?? ''))) {
          throw new GatewayError(403, 'forbidden', `Cookie-authenticated writes must send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header`)
        }
        return { actor: await deps.resolver.resolve(`Bearer ${sessionToken}`), clientIp, sessionToken }
      },
    )
    .onError({ as: 'scoped' }, ({ code, error, set }) => {
      const { status, body } = renderAdminError(code, error)
      if (error instanceof GatewayError) for (const [name, value] of Object.entries(error.options.headers ?? {})) set.headers[name] = value
      // A deliberate 5xx (an upstream that failed, a missing capability) is the upstream's story, not a gateway bug.
      if (status >= 500 && error instanceof GatewayError && error.code !== 'internal_error')
        deps.context.logger.log('warn', 'admin route answered an upstream failure', { status, code: error.code, message: error.message })
      else if (status >= 500)
        deps.context.logger.log('error', 'admin route failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      set.status = status
      return body
    })
    .macro({
      // Set by `access` for every role but `public`: the role check ran in `transform`, so the actor is there.
      signedIn: {
        resolve({ actor }) {
          if (!actor) throw new GatewayError(401, 'unauthorized', 'Sign in first')
          return { actor }
        },
      },
    })
}

/**
 * Refuses, with a 400, values no admin field can store faithfully, wherever they stand in the URL, path
 * parameters or JSON body: a NUL character (PostgreSQL text cannot hold one, so it would end as a 500 at the
 * first query), a lone surrogate (not Unicode text; it would be stored as U+FFFD or fail), and a number
 * beyond ±2^53, which JSON parsing has already rounded (a quota or price would silently change).
 */
export function refuseUnstorableValues(url: string, ...values: unknown[]): void {
  if (/%00/.test(url) || url.includes('\0')) throw unstorable('the NUL character (\\u0000 or %00)')
  // Iterative, so a deeply nested body cannot overflow the stack.
  const stack: unknown[] = [...values]
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value === 'string') checkText(value)
    else if (typeof value === 'number' && Math.abs(value) > Number.MAX_SAFE_INTEGER) throw unstorable(`a number beyond ±2^53 (${value})`)
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        checkText(key)
        stack.push(inner)
      }
    }
  }
}

function checkText(text: string): void {
  if (text.includes('\0')) throw unstorable('the NUL character (\\u0000 or %00)')
  // With the u flag a surrogate pair reads as one code point, so \p{Cs} matches only a lone half.
  if (/\p{Cs}/u.test(text)) throw unstorable('a lone UTF-16 surrogate')
}

function unstorable(what: string): GatewayError {
  return new GatewayError(400, 'invalid_request', `The request holds ${what}, which cannot be stored`)
}

/** What `access` adds to a route: the role check, run before body validation, and the OpenAPI detail. */
type RouteAccess = {
  transform: Array<(context: { actor: Actor | undefined; body: unknown; request: Request }) => void>
  detail: RouteDetail
}

/**
 * What `access` adds for a role other than `public`: the `signedIn` macro of `apiBase`, which hands the
 * handler an `actor` typed `Actor` (the role check has already refused callers without one).
 */
type SignedInGuard<Role extends RequiredRole> = Role extends 'public' ? unknown : { signedIn: true }

/**
 * Route options declaring the least role that may call the route (checked before the body is
 * validated, so strangers get 401 rather than schema hints) and its OpenAPI entry. With a body
 * schema (optionally `t.Optional(...)` for a body that may be left out), the body is checked as it
 * arrived (see `rejectInvalidBody`). The role is also published as `x-required-role` so tests and
 * the dashboard can enumerate it. Any role but `public` narrows the handler's `actor` to `Actor`.
 */
export function access<Role extends RequiredRole>(role: Role, doc: RouteDoc): RouteAccess & SignedInGuard<Role>
export function access<Role extends RequiredRole, Body extends TObject>(
  role: Role,
  doc: RouteDoc,
  body: Body,
): RouteAccess & SignedInGuard<Role> & { body: Body }
export function access(role: RequiredRole, doc: RouteDoc, body?: TObject): RouteAccess & { body?: TObject; signedIn?: true } {
  const transform: RouteAccess['transform'] = [({ actor }) => authorize(actor, role)]
  if (body) transform.push((context) => rejectInvalidBody(body, context.body, context.request))
  const detail = routeDetail(role, doc)
  return {
    transform,
    ...(body ? { body } : {}),
    ...(role === 'public' ? {} : { signedIn: true as const }),
    detail: body && OptionalKind in body ? { ...detail, 'x-body-optional': true } : detail,
  }
}

/**
 * Checks a JSON body against its schema before Elysia normalises it. Elysia's default normalisation
 * silently drops undeclared properties and rebuilds whatever stands where an object belongs (`12345`
 * or `"abc"` become `{}` or `{"0":"a",…}`), so a wrong value would quietly become an empty mapping.
 * Unknown fields are named first (a typo changes nothing otherwise), then the first other problem,
 * worded as Elysia's own validation errors are.
 */
export function rejectInvalidBody(schema: TObject, body: unknown, request?: Request): void {
  // An optional body that was sent but did not parse is a mistake, not a body left out.
  const sent = Number(request?.headers.get('content-length') ?? 0) > 0 || request?.headers.has('transfer-encoding') === true
  if (body === undefined && OptionalKind in schema && !sent) return
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError(400, 'invalid_request', 'body: expected a JSON object')
  const problems = [...Value.Errors(schema, body)]
  const unknown = problems.find((problem) => problem.type === ValueErrorType.ObjectAdditionalProperties)
  if (unknown) {
    const field = fieldOf(unknown.path) ?? 'body'
    // A record whose keys follow a pattern (quantity names in perUnit) says which names it takes.
    const patterns = Object.keys((unknown.schema as { patternProperties?: Record<string, unknown> }).patternProperties ?? {})
    const message = patterns.length > 0 ? `${field}: not an accepted name (names match ${patterns.join(' or ')})` : `${field}: unknown field`
    throw new GatewayError(400, 'invalid_request', message, { param: field })
  }
  const [first] = problems
  if (!first) return
  const { error } = renderValidationError({ type: 'body', valueError: first }).body
  throw new GatewayError(400, 'invalid_request', error.message, { param: error.field })
}

/** A route's success schemas plus the admin error responses. */
export function withErrors<T extends Record<number, unknown>>(success: T): T & typeof errorResponses {
  return { ...errorResponses, ...success }
}

/** ISO string for a date column, keeping nulls. */
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null
}
