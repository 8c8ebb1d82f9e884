import type { SseEvent } from '@hanggent/plugin-sdk'
import type { TypedDialectCodec } from '@hanggent/plugin-sdk'
import { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'
import { convertOpenAIResponsesUsage } from './convert-openai-responses-usage.ts'
import { estimateOpenAIResponsesPrompt } from './estimate-openai-responses-prompt.ts'
import { readOpenAIKey } from './openai-dialects.ts'
import { readOpenAIUpstreamError, renderOpenAIError } from './openai-errors.ts'
import { renderOpenAIResponsesStreamError } from './openai-responses-errors.ts'
import { openAIResponsesHub } from './openai-responses-hub.ts'

// see https://platform.openai.com/docs/api-reference/responses/create
// The Responses API always reports usage in its terminal stream event, so nothing is forced upstream
// and nothing hidden from the client: passthrough bodies only get the mapped model.

const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed'])

/** The terminal event of a Responses stream, by its SSE name or, for upstreams that send none, its `type`. */
function isResponsesFinalEvent(event: SseEvent): boolean {
  if (event.event !== undefined) return FINAL_EVENTS.has(event.event)
  return /^\{\s*"type"\s*:\s*"response\.(?:completed|incomplete|failed)"/.test(event.data)
}

/** `POST /v1/responses`. */
export const openAIResponsesDialect: TypedDialectCodec<typeof OpenAIResponsesRequest> = {
  dialect: 'openai.responses',
  endpoint: 'responses',
  routes: [{ method: 'POST', path: '/v1/responses' }],
  requestSchema: OpenAIResponsesRequest,
  readKey: readOpenAIKey,
  readModel: (body) => body.model,
  readStream: (body) => body.stream === true,
  readMaxOutputTokens: (body) => body.max_output_tokens ?? undefined,
  // Unmapped, the upstream body is the client's own text.
  prepareUpstreamBody: (body, model) => ({ body: { ...body, model }, clientBytes: body.model === model ? {} : undefined }),
  estimatePrompt: estimateOpenAIResponsesPrompt,
  usageMember: 'usage',
  decodeUsage: convertOpenAIResponsesUsage,
  readUpstreamError: readOpenAIUpstreamError,
  renderError: renderOpenAIError,
  renderStreamError: renderOpenAIResponsesStreamError,
  isFinalEvent: isResponsesFinalEvent,
  hub: openAIResponsesHub,
}
