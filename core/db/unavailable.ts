// A database that is restarting or unreachable is an outage, not a bug: callers answer a 503 the client
// may retry, instead of a 500 "internal error". The codes are postgres.js's own connection errors, the
// socket errors beneath them, and PostgreSQL's SQLSTATE class 08 (connection exception) and 57P01–57P03
// (the server shutting down or starting up); drizzle wraps them in `cause`.

const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
])

/** True when `error` (or what it wraps) says the database could not be reached or went away mid-query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
