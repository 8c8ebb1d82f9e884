import type { operations } from '../../../schemas/generated/admin-api'

// Parts of the admin API other engineers are adding while the dashboard is written. They are typed
// here, from the agreed contract, and merged into the generated paths; once `npm run generate:client`
// picks the real routes up, delete the matching entries (the compiler then checks the real shapes).

/** A sign-in button the login page offers (`GET /api/status` → `signInProviders`). */
export interface SignInProvider {
  /** Stable id, e.g. `github` or `oidc`. */
  id: string
  /** What the button says, e.g. "GitHub". */
  name: string
  /** OAuth-style redirect, or the Telegram login widget. */
  kind: 'oauth' | 'telegram'
  /** Where an OAuth sign-in starts (a gateway URL that redirects to the provider). */
  startUrl?: string
  /** The Telegram bot the widget signs in with. */
  botName?: string
}

/** Fields `GET /api/status` is gaining; each is optional so an older gateway still works. */
export interface StatusAdditions {
  /** True until the first-run setup has been completed. */
  setupRequired?: boolean
  /** Sign-in providers enabled besides password. */
  signInProviders?: SignInProvider[]
}

/** `GET /api/status` as the dashboard reads it. */
export type SiteStatus = operations['getStatus']['responses'][200]['content']['application/json'] & StatusAdditions

/** `POST /api/setup` body: the bootstrap password printed on first start proves the caller runs the server. */
export interface SetupRequest {
  bootstrapPassword: string
  username?: string
  password: string
  siteName?: string
  selfUseMode?: boolean
}

type AdminErrorContent = operations['getStatus']['responses'][400]

/** Routes not yet in the generated document, in openapi-typescript's shape. */
export interface PendingPaths {
  '/api/setup': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never }
    get?: never
    put?: never
    /** First-run setup: set root's username and password; answers with a session cookie. */
    post: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never }
      requestBody: { content: { 'application/json': SetupRequest } }
      responses: {
        200: { headers: { [name: string]: unknown }; content: { 'application/json': Record<string, unknown> } }
        201: { headers: { [name: string]: unknown }; content: { 'application/json': Record<string, unknown> } }
        400: AdminErrorContent
        401: AdminErrorContent
        403: AdminErrorContent
        409: AdminErrorContent
        429: AdminErrorContent
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
}
