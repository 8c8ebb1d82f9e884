// The SDK's error type (what plugins throw and render) plus what only the core does with errors:
// wrapping anything thrown, and the detail kept for the process log.
import { GatewayError } from '@hanggent/plugin-sdk'
import { isDatabaseUnavailable } from './db/unavailable.ts'

export { GatewayError, kindForStatus, type GatewayErrorCode, type GatewayErrorKind } from '@hanggent/plugin-sdk'

/**
 * Wraps anything thrown into a GatewayError so renderers never see raw exceptions. Anything but a
 * GatewayError is a fault of the gateway (or a plugin): its text goes to the log as the cause, never
 * into the message a client reads.
 */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error
  // An outage (the database restarting or out of reach) is worth a retry, not a bug report.
  if (isDatabaseUnavailable(error))
    return new GatewayError(503, 'database_unavailable', 'The gateway cannot reach its database right now; please retry shortly', { cause: error })
  return new GatewayError(500, 'internal_error', 'Internal error', { kind: 'internal', cause: error })
}

/** The detail of a failure for the process log: the stack of what was thrown underneath when there is one. */
export function errorDetail(error: unknown): string {
  const cause = error instanceof GatewayError && error.options.cause !== undefined ? error.options.cause : error
  if (cause instanceof Error) return cause.stack ?? `${cause.name}: ${cause.message}`
  return String(cause)
}
