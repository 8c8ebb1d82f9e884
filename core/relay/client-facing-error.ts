import type { Logger } from '../app-context.ts'
import { errorDetail, GatewayError } from '../errors.ts'

/**
 * What a relay client may read of an error. A gateway fault (`internal_error`: a bug, a plugin that
 * threw, a channel misconfigured by its admin) is logged in full under the request id, and the client
 * gets a generic message naming that id, so an operator can find it; every other error is meant for
 * the client as it is.
 */
export function clientFacingError(logger: Logger, requestId: string, error: GatewayError): GatewayError {
  if (error.code !== 'internal_error') return error
  logger.log('error', 'relay internal error', { requestId, message: error.message, detail: errorDetail(error) })
  return new GatewayError(
    500,
    'internal_error',
    `The gateway failed to handle this request (request id ${requestId}); the operator can find the details in its log`,
    { kind: 'internal' },
  )
}
