import type { InboundRequest, TypedDialectCodec } from '@hanggent/plugin-sdk'
import { GeminiGenerateContentRequest } from '../../schemas/gemini-generate.ts'
import { convertGeminiUsage } from './convert-gemini-usage.ts'
import { estimateGeminiPrompt } from './estimate-gemini-prompt.ts'
import { readGeminiUpstreamError, renderGeminiError, renderGeminiStreamError } from './gemini-errors.ts'
import { GEMINI_DIALECT } from './gemini-extra.ts'
import { geminiGenerateHub } from './gemini-hub.ts'
import { readBearerToken, readHeaderValue } from '@hanggent/plugin-sdk'
import { parseModelAction } from './gemini-model-action.ts'
import { geminiModelList } from './gemini-model-list.ts'

// see https://ai.google.dev/api/generate-content (routes) and https://ai.google.dev/gemini-api/docs/api-key
// (`x-goog-api-key` header or `?key=`). The model and the method share the last path segment. Both
// API versions are answered: the @google/genai SDK defaults to `v1`, Google's REST samples use `v1beta`.
// Streams: Google answers `:streamGenerateContent?alt=sse` with SSE and, without `alt=sse`, with one JSON
// array written piece by piece. The gateway always asks its upstream for SSE and always answers in SSE
// (the core frames every relayed stream as SSE); the @google/genai SDK and Google's REST samples use
// `alt=sse`, so only hand-written clients that parse the JSON-array form are not served.

/** The key from `?key=`, `x-goog-api-key`, or `Authorization: Bearer` (Google's OpenAI-style clients). */
export function readGeminiKey(request: InboundRequest): string | undefined {
  const query = request.url.searchParams.get('key')?.trim()
  if (query) return query
  return readHeaderValue(request.headers, 'x-goog-api-key') ?? readBearerToken(request.headers)
}

/** `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent` (also under `/v1`). */
export const geminiGenerateDialect: TypedDialectCodec<typeof GeminiGenerateContentRequest> = {
  dialect: GEMINI_DIALECT,
  endpoint: 'chat',
  routes: [
    { method: 'POST', path: '/v1beta/models/:modelAction' },
    { method: 'POST', path: '/v1/models/:modelAction' },
  ],
  requestSchema: GeminiGenerateContentRequest,
  readKey: readGeminiKey,
  checkRoute: (request) => void parseModelAction(request.params.modelAction),
  readModel: (_body, request) => parseModelAction(request.params.modelAction).model,
  readStream: (_body, request) => parseModelAction(request.params.modelAction).action === 'streamGenerateContent',
  readMaxOutputTokens(body) {
    const max = body.generationConfig?.maxOutputTokens
    return max === undefined ? undefined : max * (body.generationConfig?.candidateCount ?? 1)
  },
  // The model lives in the URL, which the transport builds from the call; Gemini always reports usage.
  // The model is in the path, so the body goes up as the client wrote it.
  prepareUpstreamBody: (body) => ({ body, clientBytes: {} }),
  estimatePrompt: estimateGeminiPrompt,
  usageMember: 'usageMetadata',
  decodeUsage: convertGeminiUsage,
  readUpstreamError: readGeminiUpstreamError,
  renderError: renderGeminiError,
  renderStreamError: renderGeminiStreamError,
  hub: geminiGenerateHub,
  modelList: geminiModelList,
}
