// Reading a client's key from request headers and adding a channel's extra headers to upstream
// requests: the same few lines every provider needs.

const BEARER = /^bearer\s+/i

/** The token of an `Authorization: Bearer <token>` header, trimmed; undefined when absent, empty or another scheme. */
export function readBearerToken(headers: Headers): string | undefined {
  const authorization = headers.get('authorization')
  if (!authorization || !BEARER.test(authorization)) return undefined
  return authorization.replace(BEARER, '').trim() || undefined
}

/** A header's trimmed value (a vendor key header such as `x-api-key`); undefined when absent or blank. */
export function readHeaderValue(headers: Headers, name: string): string | undefined {
  return headers.get(name)?.trim() || undefined
}

/**
 * Adds a channel's extra headers (a `Record<string, string>` setting) to `headers`, names lower-cased
 * so they replace what is already there; values that are not strings are skipped. Returns `headers`.
 */
export function withExtraHeaders(headers: Record<string, string>, extraHeaders: unknown): Record<string, string> {
  if (typeof extraHeaders !== 'object' || extraHeaders === null) return headers
  for (const [name, value] of Object.entries(extraHeaders)) if (typeof value === 'string') headers[name.toLowerCase()] = value
  return headers
}

/**
 * The URL of an API path (`/models`) under a versioned root: `{base}/{version}{path}`, unless the base
 * URL already ends in a version (`…/v1`, `…/v2beta`), which is then kept and not doubled.
 */
export function versionedUrl(baseUrl: string, path: string, version = 'v1'): string {
  const base = baseUrl.replace(/\/+$/, '')
  return /\/v\d+[a-z]*$/.test(base) ? `${base}${path}` : `${base}/${version}${path}`
}
