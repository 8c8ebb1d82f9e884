import { GatewayError } from '../errors.ts'

/** The default retryable statuses: rate limits, the channel's credentials, and 5xx except timeouts (504, 524). */
export const DEFAULT_RETRYABLE_STATUSES = '401,403,429,500-503,505-523,525-599'

/** Parses `"429,500-503"` into a predicate; throws on a malformed list (validated when the option is saved). */
export function parseStatusRanges(spec: string): (status: number) => boolean {
  const ranges = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d{3})(?:-(\d{3}))?$/.exec(part)
      if (!match) throw new Error(`"${part}" is not a status or a range like 500-503`)
      const low = Number(match[1])
      const high = Number(match[2] ?? match[1])
      if (low > high || low < 100 || high > 599) throw new Error(`"${part}" is not a valid status range`)
      return [low, high] as const
    })
  return (status) => ranges.some(([low, high]) => status >= low && status <= high)
}

const parsedRanges = new Map<string, (status: number) => boolean>()

/** The predicate for an option value, parsed once. */
export function retryableStatuses(spec: string): (status: number) => boolean {
  let predicate = parsedRanges.get(spec)
  if (!predicate) {
    try {
      predicate = parseStatusRanges(spec)
    } catch {
      // The option's pattern already refuses most mistakes; an out-of-range status falls back to the default.
      predicate = parseStatusRanges(DEFAULT_RETRYABLE_STATUSES)
    }
    parsedRanges.set(spec, predicate)
  }
  return predicate
}

/**
 * Turns an upstream HTTP failure into what the client sees. The client's own mistakes (400, 404,
 * 413, 422) keep their status and the upstream body; rate limits stay 429; credential problems of the
 * channel (401, 403) and upstream faults become 502, since the client's key is not at fault; a credential
 * refusal tells the client nothing of the channel or the upstream's words (they are in `cause`, for the log).
 * Which statuses are retried on another channel is the `retryableStatuses` option (by default 401,
 * 403, 429 and 5xx except 504/524, since a timeout would likely repeat).
 */
export function mapUpstreamFailure(
  status: number,
  upstream: { message: string; code?: string },
  bodyText: string,
  channelName: string,
  isRetryable: (status: number) => boolean = retryableStatuses(DEFAULT_RETRYABLE_STATUSES),
  retryAfter?: string | null,
): GatewayError {
  const retryable = isRetryable(status)
  if ([400, 404, 409, 413, 415, 422].includes(status)) {
    return new GatewayError(status, 'upstream_error', upstream.message, {
      kind: status === 404 ? 'not_found' : 'invalid_request',
      retryable,
      upstreamBody: bodyText,
    })
  }
  if (status === 429) {
    // The upstream's own Retry-After tells the client when to come back (only when no other channel answered).
    const wait = retryAfterHeader(retryAfter)
    return new GatewayError(429, 'rate_limited', `Upstream rate limit: ${upstream.message}`, {
      retryable,
      ...(wait ? { headers: { 'retry-after': wait } } : {}),
    })
  }
  if (status === 401 || status === 403) {
    // The channel's name and the upstream's words about the operator's account are for the admin's log
    // (the cause, logged with the request id), never for the client, whose own key is not at fault.
    return new GatewayError(
      502,
      'upstream_error',
      `The upstream provider refused the gateway's credentials for this model (HTTP ${status}); the operator can find the details in its log`,
      { retryable, cause: `channel "${channelName}" rejected its credentials (HTTP ${status}): ${upstream.message}` },
    )
  }
  if (status === 504 || status === 524) return new GatewayError(504, 'upstream_timeout', `Upstream timed out (HTTP ${status})`, { retryable })
  return new GatewayError(502, 'upstream_error', `Upstream error (HTTP ${status}): ${upstream.message}`, { retryable })
}

/** An upstream's Retry-After worth passing on: delay seconds or an HTTP date, else undefined (RFC 9110 §10.2.3). */
export function retryAfterHeader(value: string | null | undefined): string | undefined {
  const text = value?.trim() ?? ''
  if (/^\d{1,9}$/.test(text)) return text
  return text.length <= 64 && /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text) ? text : undefined
}

/**
 * `text` with each of `secrets` (the channel's key, its base URL and host) replaced, so an upstream error
 * that echoes them (a 401 quoting the key, a proxy page naming its address) cannot reach a client or the
 * logs users read. Secrets shorter than 6 characters are left alone: they would only garble the message.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text
  for (const secret of secrets) if (secret.length >= 6 && redacted.includes(secret)) redacted = redacted.replaceAll(secret, '[redacted]')
  return redacted
}

/** What an upstream's messages must not repeat to a client: the key sent, the base URL, and its host. */
export function channelSecrets(key: string, baseUrl: string): string[] {
  let host = ''
  try {
    host = new URL(baseUrl).host
  } catch {
    // A base URL that does not parse is redacted as written.
  }
  // Longest first, so the base URL goes as a whole before its host does.
  return [key, baseUrl, host].filter(Boolean).sort((a, b) => b.length - a.length)
}
