import type { InboundRequest, PreparedUpstreamBody, TypedDialectCodec } from '@hanggent/plugin-sdk'
import { readBearerToken, readHeaderValue } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
import { OpenAICompletionsRequest } from '../../schemas/openai-completions.ts'
import { OpenAIEmbeddingsRequest } from '../../schemas/openai-embeddings.ts'
import { convertOpenAIUsage } from './convert-openai-usage.ts'
import { readOpenAIUpstreamError, renderOpenAIError, renderOpenAIStreamError } from './openai-errors.ts'
import { openAIChatHub } from './openai-chat-hub.ts'
import { openAICompletionsHub } from './openai-completions-hub.ts'
import { COMPLETIONS_DEFAULT_MAX_TOKENS } from './convert-openai-completions.ts'
import { estimateOpenAIChatPrompt, estimateOpenAIPromptInput } from './estimate-openai-prompt.ts'

// see https://platform.openai.com/docs/api-reference/authentication (Bearer keys) and
// https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options

/** Fixed `created` for listed models: the gateway does not know when a vendor released a model. */
const MODEL_CREATED = 1_626_777_600

/** The key from `Authorization: Bearer`, or Azure-style `api-key` for clients configured that way. */
export function readOpenAIKey(request: InboundRequest): string | undefined {
  return readBearerToken(request.headers) ?? readHeaderValue(request.headers, 'api-key')
}

/** True for the usage-only final chunk (`choices: []`) that include_usage adds. */
function isUsageOnlyChunk(event: SseEvent): boolean {
  if (!event.data.includes('"choices":[]') && !event.data.includes('"choices": []')) return false
  try {
    const chunk = JSON.parse(event.data) as { choices?: unknown[]; usage?: unknown }
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && typeof chunk.usage === 'object' && chunk.usage !== null
  } catch {
    return false
  }
}

/**
 * Sets the upstream model and, on streams, forces `stream_options.include_usage` so billing never
 * guesses; when the client did not ask for usage, the extra usage chunk is hidden from it.
 */
function prepareWithStreamUsage(body: OpenAIChatRequest | OpenAICompletionsRequest, model: string, stream: boolean): PreparedUpstreamBody {
  const upstream: Record<string, unknown> = { ...body, model }
  const sameModel = body.model === model
  if (!stream) return { body: upstream, clientBytes: sameModel ? {} : undefined }
  const options = body.stream_options ?? {}
  if (options.include_usage === true) return { body: upstream, clientBytes: sameModel ? {} : undefined }
  upstream.stream_options = { ...options, include_usage: true }
  // Without a stream_options member at all, the client's bytes with one member added in front will do.
  return {
    body: upstream,
    hideEvent: isUsageOnlyChunk,
    clientBytes: sameModel && body.stream_options === undefined ? { firstMember: '"stream_options":{"include_usage":true}' } : undefined,
  }
}

/** What every OpenAI dialect shares: auth, errors, usage. */
const openAIBase = {
  readKey: readOpenAIKey,
  readModel: (body: { model: string }) => body.model,
  readStream: (body: { stream?: boolean | null }) => body.stream === true,
  usageMember: 'usage',
  decodeUsage: convertOpenAIUsage,
  readUpstreamError: readOpenAIUpstreamError,
  renderError: renderOpenAIError,
  renderStreamError: renderOpenAIStreamError,
  prepareUpstreamBody: prepareWithStreamUsage,
  isFinalEvent: (event: SseEvent) => event.data === '[DONE]',
}

/** `POST /v1/chat/completions`. */
export const openAIChatDialect: TypedDialectCodec<typeof OpenAIChatRequest> = {
  ...openAIBase,
  dialect: 'openai.chat',
  endpoint: 'chat',
  routes: [{ method: 'POST', path: '/v1/chat/completions' }],
  requestSchema: OpenAIChatRequest,
  readMaxOutputTokens(body) {
    const max = body.max_completion_tokens ?? body.max_tokens ?? undefined
    return max === undefined ? undefined : max * (body.n ?? 1)
  },
  estimatePrompt: estimateOpenAIChatPrompt,
  hub: openAIChatHub,
  modelList: {
    // OpenAI's shape is the default answer of /v1/models, so it claims no request by headers.
    matches: () => false,
    // Every OpenAI endpoint the gateway serves shares this list (OpenAI's own lists embedding and image models too);
    // models for other kinds (rerank, …) are left out.
    endpoints: ['chat', 'completions', 'embeddings', 'responses', 'image'],
    render: (models) => ({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'hanggent' })) }),
  },
}

/** `POST /v1/completions` (legacy text completions); converted to chat for models and channels that lack it. */
export const openAICompletionsDialect: TypedDialectCodec<typeof OpenAICompletionsRequest> = {
  ...openAIBase,
  dialect: 'openai.completions',
  endpoint: 'completions',
  routes: [{ method: 'POST', path: '/v1/completions' }],
  requestSchema: OpenAICompletionsRequest,
  readMaxOutputTokens(body) {
    const max = body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS
    return max * (body.best_of ?? body.n ?? 1)
  },
  estimatePrompt: (body) => estimateOpenAIPromptInput(body.prompt),
  hub: openAICompletionsHub,
}

/** `POST /v1/embeddings`. */
export const openAIEmbeddingsDialect: TypedDialectCodec<typeof OpenAIEmbeddingsRequest> = {
  ...openAIBase,
  dialect: 'openai.embeddings',
  endpoint: 'embeddings',
  routes: [{ method: 'POST', path: '/v1/embeddings' }],
  requestSchema: OpenAIEmbeddingsRequest,
  readStream: () => false,
  readMaxOutputTokens: () => 0,
  prepareUpstreamBody: (body, model) => ({ body: { ...body, model }, clientBytes: body.model === model ? {} : undefined }),
  estimatePrompt: (body) => estimateOpenAIPromptInput(body.input),
}
