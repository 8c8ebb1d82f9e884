import type { GatewayError } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/responses-streaming/error — a Responses stream
// that fails midway ends with an `error` event: {type:'error', code, message, param, sequence_number}.

/**
 * The final event of a Responses stream that fails midway. The core renders it without knowing how
 * many events went before, so `sequence_number` is 0; SDKs read the code and message, not the number.
 */
export function renderOpenAIResponsesStreamError(error: GatewayError): SseEvent[] {
  return [{ event: 'error', data: JSON.stringify({ type: 'error', code: error.code, message: error.message, param: error.param ?? null, sequence_number: 0 }) }]
}
