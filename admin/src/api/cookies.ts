// Names mirror core/http/session-cookie.ts: the session cookie is HttpOnly; the CSRF cookie is
// readable so writes can echo it in a header (double submit).

/** The CSRF cookie the gateway sets beside the session cookie. */
export const CSRF_COOKIE = 'hanggent_csrf'
/** The header a cookie-authenticated write must carry. */
export const CSRF_HEADER = 'X-CSRF-Token'

/** One cookie's value from a `document.cookie` string. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim()
      try {
        return decodeURIComponent(value)
      } catch {
        return value
      }
    }
  }
  return undefined
}
