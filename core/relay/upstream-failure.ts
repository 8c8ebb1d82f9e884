import { GatewayError } from '../errors.ts'

/**
 * Turns an upstream HTTP failure into what the client sees. The client's own mistakes (400, 404,
 * 413, 422) keep their status and the upstream body; rate limits stay 429; credential problems of the
 * channel (401, 403) and upstream faults become 502, since the client's key is not at fault.
 * Retryable: 429 and 5xx except 504/524 (a timeout would likely repeat).
 */
export function mapUpstreamFailure(status: number, upstream: { message: string; code?: string }, bodyText: string, channelName: string): GatewayError {
  const retryable = status === 429 || (status >= 500 && status !== 504 && status !== 524)
  if ([400, 404, 409, 413, 415, 422].includes(status)) {
    return new GatewayError(status, 'upstream_error', upstream.message, { kind: status === 404 ? 'not_found' : 'invalid_request', retryable: false, upstreamBody: bodyText })
  }
  if (status === 429) return new GatewayError(429, 'rate_limited', `Upstream rate limit: ${upstream.message}`, { retryable })
  if (status === 401 || status === 403) {
    return new GatewayError(502, 'upstream_error', `Upstream channel "${channelName}" rejected its credentials (HTTP ${status}): ${upstream.message}`, { retryable: true })
  }
  if (status === 504 || status === 524) return new GatewayError(504, 'upstream_timeout', `Upstream timed out (HTTP ${status})`, { retryable })
  return new GatewayError(502, 'upstream_error', `Upstream error (HTTP ${status}): ${upstream.message}`, { retryable })
}
