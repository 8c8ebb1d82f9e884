import { createHash } from 'node:crypto'
import type { SecretBox } from '../security/crypto.ts'
import { randomKey } from '../security/crypto.ts'
import { GatewayError } from '../errors.ts'
import { isSecureRequest } from '../http/session-cookie.ts'

// The browser-bound part of an OAuth sign-in: what `start` remembers for `callback` (state, PKCE
// verifier, OIDC nonce, where to go afterwards, who is linking) travels in a short-lived HttpOnly
// cookie sealed with the secret box (AES-GCM: unreadable and tamper-proof), scoped to the provider's
// callback path. Nothing is stored server-side, so any replica can finish a flow another one began.

/** How long a started sign-in may take at the provider. */
export const OAUTH_FLOW_SECONDS = 600

/** What `start` hands to `callback`. */
export interface OAuthFlow {
  /** The provider the flow was started for. */
  provider: string
  /** The `state` sent to the provider; the callback must bring back the same. */
  state: string
  /** PKCE code verifier, when the provider takes PKCE. */
  verifier: string | null
  /** OIDC nonce the ID token must carry. */
  nonce: string | null
  /** The same-origin path to land on afterwards. */
  redirect: string
  /** Set when a signed-in user is linking this identity to their account. */
  linkUserId: number | null
  /** The redirect_uri sent to the provider; the token request repeats it exactly. */
  redirectUri: string
  /** Epoch milliseconds after which the flow is refused. */
  expiresAt: number
}

/** The cookie holding a provider's flow; one per provider, so two providers can run side by side. */
export function flowCookieName(provider: string): string {
  return `hanggent_oauth_${provider}`
}

/** Fresh random values for a flow: state, a PKCE verifier (RFC 7636: 43–128 unreserved characters) and a nonce. */
export function newFlowSecrets(): { state: string; verifier: string; nonce: string } {
  return { state: randomKey(32), verifier: randomKey(64), nonce: randomKey(32) }
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

/** Seals a flow for its cookie. */
export function sealFlow(box: SecretBox, flow: OAuthFlow): string {
  return box.seal(JSON.stringify(flow))
}

/** Opens a flow cookie; undefined when missing, tampered with, for another provider, or expired. */
export function openFlow(box: SecretBox, sealed: string | undefined, provider: string, now: Date): OAuthFlow | undefined {
  if (!sealed) return undefined
  let flow: OAuthFlow
  try {
    flow = JSON.parse(box.open(sealed)) as OAuthFlow
  } catch {
    return undefined
  }
  if (flow.provider !== provider || typeof flow.state !== 'string' || !(flow.expiresAt > now.getTime())) return undefined
  return flow
}

/** Set-Cookie for a sealed value: HttpOnly, SameSite=Lax (sent on the provider's top-level redirect back), on one path. */
export function sealedCookie(name: string, value: string, options: { path: string; maxAgeSeconds: number; secure: boolean }): string {
  return `${name}=${value}; HttpOnly; Path=${options.path}; SameSite=Lax; Max-Age=${options.maxAgeSeconds}${options.secure ? '; Secure' : ''}`
}

/** Set-Cookie that removes a cookie set by sealedCookie. */
export function clearedCookie(name: string, path: string): string {
  return `${name}=; HttpOnly; Path=${path}; SameSite=Lax; Max-Age=0`
}

/**
 * The path to land on after signing in: a same-origin absolute path (`/`, `/tokens?page=2`). Absolute
 * URLs, protocol-relative `//host`, backslashes and control characters are refused, so the parameter
 * cannot send a user to another site.
 */
export function safeRedirectPath(value: string | undefined): string {
  if (value === undefined || value === '') return '/'
  const refuse = () => new GatewayError(400, 'invalid_request', 'redirect: must be a path on this site, such as /tokens', { param: 'redirect' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this check refuses
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) throw refuse()
  const base = 'http://gateway.invalid'
  const parsed = new URL(value, base)
  if (parsed.origin !== base) throw refuse()
  return `${parsed.pathname}${parsed.search}${parsed.hash}`
}

/** True when the caller asked for JSON rather than a page (API clients, the dashboard's fetch calls). */
export function wantsJson(request: Request): boolean {
  const accept = request.headers.get('accept') ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** The origin the browser used, honouring a TLS-terminating proxy's X-Forwarded-Proto. */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url)
  return `${isSecureRequest(request) ? 'https:' : url.protocol}//${url.host}`
}
