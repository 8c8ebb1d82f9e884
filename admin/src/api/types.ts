import type { operations } from '../../../schemas/generated/admin-api'

/** The JSON body of an operation's success answer (200 or 201), by operationId. */
export type ResponseOf<Id extends keyof operations> = operations[Id]['responses'] extends infer R
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : never
  : never

/** The JSON request body of an operation, by operationId. */
export type RequestOf<Id extends keyof operations> = operations[Id] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never

/** The signed-in user (`GET /api/users/me`). */
export type CurrentUser = ResponseOf<'getCurrentUser'>

/** A user's role. */
export type UserRole = CurrentUser['role']

/** `GET /api/status` as the dashboard reads it (site name, sign-in methods, setup state). */
export type SiteStatus = ResponseOf<'getStatus'>

/** A sign-in button the login page offers (`GET /api/status` → `signInProviders`). */
export type SignInProvider = SiteStatus['signInProviders'][number]

/** `POST /api/setup` body: the bootstrap password printed on first start proves the caller runs the server. */
export type SetupRequest = RequestOf<'completeSetup'>
