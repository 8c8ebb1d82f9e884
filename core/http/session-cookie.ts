import { createHmac } from 'node:crypto'
import { safeEqual } from '../security/crypto.ts'

// The dashboard signs in with a session cookie instead of a bearer header: HttpOnly, SameSite=Lax,
// Secure behind HTTPS, its value signed with SESSION_SECRET. Cookie-authenticated writes must echo
// the CSRF cookie in an `X-CSRF-Token` header (double submit), which another site cannot read.

/** The session cookie's name. */
export const SESSION_COOKIE = 'hanggent_session'
/** The CSRF cookie's name (readable by the dashboard's script). */
export const CSRF_COOKIE = 'hanggent_csrf'
/** The header a cookie-authenticated write must carry. */
export const CSRF_HEADER = 'x-csrf-token'

function signature(value: string, secret: string): string {
  return createHmac('sha256', `hanggent:session:${secret}`).update(value).digest('base64url')
}

/** `<token>.<signature>`. */
export function signSessionValue(token: string, secret: string): string {
  return `${token}.${signature(token, secret)}`
}

/** The token of a signed value, or undefined when the signature does not match. */
export function verifySessionValue(value: string, secret: string): string | undefined {
  const dot = value.lastIndexOf('.')
  if (dot <= 0) return undefined
  const token = value.slice(0, dot)
  return safeEqual(value.slice(dot + 1), signature(token, secret)) ? token : undefined
}

/** Cookie values by name from a Cookie header. */
export function parseCookies(header: string | null): Record<string, string> {
  const cookies: Record<string, string> = {}
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    try {
      cookies[name] = decodeURIComponent(value)
    } catch {
      cookies[name] = value
    }
  }
  return cookies
}

/** True when the request came over HTTPS (directly or through a proxy that says so). */
export function isSecureRequest(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
}

/** The Set-Cookie values for a new session. */
export function sessionCookies(options: { token: string; csrf: string; secret: string; maxAgeSeconds: number; secure: boolean }): string[] {
  const common = `Path=/; SameSite=Lax; Max-Age=${options.maxAgeSeconds}${options.secure ? '; Secure' : ''}`
  return [`${SESSION_COOKIE}=${signSessionValue(options.token, options.secret)}; HttpOnly; ${common}`, `${CSRF_COOKIE}=${options.csrf}; ${common}`]
}

/** The Set-Cookie values that remove the session. */
export function clearedSessionCookies(): string[] {
  return [`${SESSION_COOKIE}=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0`, `${CSRF_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0`]
}
