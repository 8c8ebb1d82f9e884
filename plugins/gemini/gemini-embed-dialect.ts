import { Type, type Static } from '@sinclair/typebox'
import { newPromptEstimate, type TypedDialectCodec, type PromptEstimateInput } from '@hanggent/plugin-sdk'
import { readGeminiKey } from './gemini-dialect.ts'
import { readGeminiUpstreamError, renderGeminiError, renderGeminiStreamError } from './gemini-errors.ts'
import { splitModelAction } from './gemini-model-action.ts'

// Gemini's embeddings: `POST /v1beta/models/{model}:embedContent` (`{content}` → `{embedding: {values}}`)
// and `:batchEmbedContents` (`{requests: [{model, content}]}` → `{embeddings: [...]}`), relayed natively to
// Gemini channels. They share the generate routes' path, so this dialect declares no routes of its own:
// the core sends those two methods of the `gemini.generate` routes here. Google reports no usage for
// embeddings, so calls are billed from the gateway's count of the input text at the model's input price.
// see https://ai.google.dev/api/embeddings

/** The dialect id of Gemini's embedding methods. */
export const GEMINI_EMBED_DIALECT = 'gemini.embed'

const Part = Type.Object({ text: Type.Optional(Type.String()) }, { additionalProperties: true })
const Content = Type.Object({ parts: Type.Array(Part, { minItems: 1 }) }, { additionalProperties: true })

/** `embedContent`'s body, or `batchEmbedContents`'s. */
export const GeminiEmbedRequest = Type.Union([
  Type.Object({ content: Content }, { additionalProperties: true }),
  Type.Object(
    { requests: Type.Array(Type.Object({ content: Content }, { additionalProperties: true }), { minItems: 1, maxItems: 250 }) },
    { additionalProperties: true },
  ),
])

/** A validated embedContent or batchEmbedContents body. */
export type GeminiEmbedRequest = Static<typeof GeminiEmbedRequest>

/** The contents a body embeds: its `content`, or each request's. */
function contentsOf(body: GeminiEmbedRequest): Array<Static<typeof Content>> {
  return 'requests' in body ? body.requests.map((request) => request.content) : [body.content]
}

/** The texts to count: every text part of every content embedded. */
export function estimateGeminiEmbedPrompt(body: GeminiEmbedRequest): PromptEstimateInput {
  const estimate = newPromptEstimate()
  for (const content of contentsOf(body)) for (const part of content.parts) if (part.text !== undefined) estimate.texts.push(part.text)
  return estimate
}

/** A batch's requests each name the model; they must name the one the call goes to (after the channel's model mapping). */
function withModel(body: Extract<GeminiEmbedRequest, { requests: unknown }>, model: string): Record<string, unknown> {
  return { ...body, requests: body.requests.map((request) => ({ ...request, model: `models/${model}` })) }
}

/** Gemini's embedContent and batchEmbedContents, reached through the gemini.generate routes. */
export const geminiEmbedDialect: TypedDialectCodec<typeof GeminiEmbedRequest> = {
  dialect: GEMINI_EMBED_DIALECT,
  endpoint: 'embeddings',
  routes: [],
  requestSchema: GeminiEmbedRequest,
  readKey: readGeminiKey,
  readModel: (_body, request) => splitModelAction(request.params.modelAction ?? '').model,
  readStream: () => false,
  readMaxOutputTokens: () => 0,
  prepareUpstreamBody: (body, model) => ('requests' in body ? { body: withModel(body, model) } : { body, clientBytes: {} }),
  estimatePrompt: estimateGeminiEmbedPrompt,
  readUpstreamError: readGeminiUpstreamError,
  renderError: renderGeminiError,
  renderStreamError: renderGeminiStreamError,
}
