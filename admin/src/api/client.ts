import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from '../../../schemas/generated/admin-api'
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from './cookies.ts'

/** Every admin route the dashboard may call, as generated from the gateway's OpenAPI document. */
export type ApiPaths = paths

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Cookie-authenticated writes must echo the CSRF cookie, or the gateway answers 403. */
const csrf: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method)) return request
    const token = readCookie(document.cookie, CSRF_COOKIE)
    if (token) request.headers.set(CSRF_HEADER, token)
    return request
  },
}

let onSessionLost: (() => void) | undefined

/** Registers what to do when the session ends under the dashboard (expired or revoked: any 401). */
export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler
}

/** Paths whose 401 is an answer, not a lost session. */
const SIGN_IN_PATHS = ['/api/auth/login', '/api/setup', '/api/users/me']

const sessionWatch: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !SIGN_IN_PATHS.includes(new URL(request.url).pathname)) onSessionLost?.()
    return response
  },
}

/**
 * The typed admin API client (openapi-fetch over the types generated from /swagger/json). It signs in
 * with the same-origin session cookie; every page calls the API through it, usually with `unwrap`.
 */
export const api = createClient<ApiPaths>({ baseUrl: window.location.origin, credentials: 'same-origin' })
api.use(csrf, sessionWatch)
