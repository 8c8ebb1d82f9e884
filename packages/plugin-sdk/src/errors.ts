/** Stable machine-readable error codes; clients and tests rely on them, so never rename one. */
export type GatewayErrorCode =
  | 'invalid_api_key'
  | 'token_expired'
  | 'token_disabled'
  | 'user_disabled'
  | 'ip_not_allowed'
  | 'model_not_allowed'
  | 'insufficient_quota'
  | 'invalid_json'
  | 'invalid_request'
  | 'invalid_type'
  | 'missing_required_parameter'
  | 'unsupported_media_type'
  | 'request_too_large'
  | 'model_not_found'
  | 'model_not_supported'
  | 'model_price_not_configured'
  | 'no_available_channel'
  | 'not_implemented'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'upstream_unreachable'
  | 'bad_upstream_response'
  | 'rate_limited'
  | 'client_closed_request'
  | 'unauthorized'
  | 'totp_required'
  | 'registration_closed'
  | 'provider_disabled'
  | 'oauth_state_invalid'
  | 'oauth_denied'
  | 'oauth_failed'
  | 'identity_taken'
  | 'trust_level_too_low'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'internal_error'
  | 'billing_unavailable'
  | 'database_unavailable'

/** The category a dialect maps to its own error `type` field. */
export type GatewayErrorKind =
  | 'authentication'
  | 'permission'
  | 'invalid_request'
  | 'not_found'
  | 'rate_limit'
  | 'request_too_large'
  | 'upstream'
  | 'overloaded'
  | 'internal'

/** One error type for every boundary: HTTP status, a stable code, and a message a person can act on. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: GatewayErrorCode,
    message: string,
    readonly options: {
      kind?: GatewayErrorKind
      param?: string
      retryable?: boolean
      headers?: Record<string, string>
      upstreamBody?: string
      /** What was thrown underneath, for the process log only; never rendered to clients. */
      cause?: unknown
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GatewayError'
  }

  /** The error category, derived from the status when not given explicitly. */
  get kind(): GatewayErrorKind {
    return this.options.kind ?? kindForStatus(this.status)
  }

  /** The request parameter the error is about, when there is one. */
  get param(): string | undefined {
    return this.options.param
  }
}

/** Default category for a status, so most call sites only say status, code and message. */
export function kindForStatus(status: number): GatewayErrorKind {
  if (status === 401) return 'authentication'
  if (status === 403) return 'permission'
  if (status === 404) return 'not_found'
  if (status === 413) return 'request_too_large'
  if (status === 429) return 'rate_limit'
  if (status === 503) return 'overloaded'
  if (status >= 500) return 'upstream'
  return 'invalid_request'
}
