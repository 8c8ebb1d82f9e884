import type { ClientDialect, InboundRequest } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { modelAllowed } from './authenticate.ts'
import { handleRelay, type RelayServices } from './pipeline.ts'
import { relayRouteFailure } from './routes.ts'
import { validateBody } from './validate-body.ts'

// Gemini methods that share the generate routes' path (`/v1beta/models/{model}:{method}`) but are not
// relayed: `countTokens` counts the prompt with the model's tokenizer estimate (the same count the
// gateway reserves quota with), never calls upstream and is never billed. Counting locally answers for
// every model the key may use whatever channel serves it; the figure is the gateway's estimate, not
// Google's tokenizer. `embedContent` and `batchEmbedContents` are relayed, but in the `gemini.embed`
// dialect (an embeddings endpoint, billed per input token) rather than the generate route's own.
// `GET /v1beta/models/{model}` (one model in Gemini's shape) lives in routes.ts.
// see https://ai.google.dev/api/tokens#method:-models.counttokens

/** The dialect whose request and error shapes these methods use. */
export const GEMINI_DIALECT = 'gemini.generate'

/** The dialect the embedding methods are relayed in (plugins/gemini/gemini-embed-dialect.ts). */
const GEMINI_EMBED_DIALECT = 'gemini.embed'

/** The embedding methods of the generate route's path. */
const EMBED_METHODS = new Set(['embedContent', 'batchEmbedContents'])

/** Route paths whose `:modelAction` parameter may name a side method. */
const MODEL_ACTION_ROUTES = new Set(['/v1beta/models/:modelAction', '/v1/models/:modelAction'])

/** The model and method of a `{model}:{method}` path segment (a percent-encoded ':' accepted). */
function splitAction(segment: string): { model: string; method: string } {
  let decoded = segment
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    // keep the segment as it came
  }
  const colon = decoded.lastIndexOf(':')
  return colon === -1 ? { model: decoded, method: '' } : { model: decoded.slice(0, colon), method: decoded.slice(colon + 1) }
}

/** The key a Google client sends (`x-goog-api-key` or `?key=`), or a bearer token. */
function readGoogleKey(request: InboundRequest): string | undefined {
  const authorization = request.headers.get('authorization')
  if (authorization && /^bearer\s+/i.test(authorization)) return authorization.replace(/^bearer\s+/i, '').trim()
  return request.headers.get('x-goog-api-key') ?? request.url.searchParams.get('key') ?? undefined
}

/**
 * The prompt a countTokens body describes: its `generateContentRequest` when it has one (whose
 * contents, system instruction and tools all count), else the body itself (`contents`).
 */
export function countTokensPrompt(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError(400, 'invalid_request', 'The request body must be a JSON object')
  const record = body as Record<string, unknown>
  const inner = record.generateContentRequest
  const prompt = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : record
  if (!Array.isArray(prompt.contents)) throw new GatewayError(400, 'missing_required_parameter', 'contents is required', { param: 'contents' })
  return prompt
}

/** Throws Gemini's 404 unless the caller's key and group may use `model`. */
export async function requireGeminiModel(services: RelayServices, inbound: InboundRequest, clientIp: string | undefined, model: string): Promise<void> {
  const caller = await services.authenticator.authenticate(readGoogleKey(inbound), clientIp)
  if (!modelAllowed(caller.token.models, model) || !services.directory.modelsFor(caller.group).includes(model)) {
    throw new GatewayError(404, 'model_not_found', `models/${model} is not found for API version v1beta, or this key may not use it.`, { param: 'model' })
  }
}

/** `{totalTokens}` for a countTokens call. */
async function countTokens(services: RelayServices, codec: ClientDialect, request: Request, clientIp: string | undefined, model: string): Promise<Response> {
  const inbound: InboundRequest = { headers: request.headers, url: new URL(request.url), params: {} }
  await requireGeminiModel(services, inbound, clientIp, model)
  let body: unknown
  try {
    body = JSON.parse(await request.text())
  } catch {
    throw new GatewayError(400, 'invalid_json', 'The request body is not valid JSON')
  }
  // The dialect's estimate reads a validated generateContent request: the prompt must be one.
  const generateRequest = countTokensPrompt(body)
  validateBody(codec.requestSchema, generateRequest)
  const prompt = codec.estimatePrompt(generateRequest)
  const counted = await services.context.tokenCounter.count(model, prompt.texts)
  return Response.json({ totalTokens: prompt.fixedTokens + counted })
}

/** A handler for a relay route's request when it names a side method, else undefined (the call is relayed). */
export type SideAction = (request: Request, clientIp: string | undefined, requestId: string) => Promise<Response>

/** The handler of a method a Gemini model-action route's request names (`:countTokens`, the embedding methods), or undefined for generate calls. */
export function geminiSideAction(services: RelayServices, routePath: string, params: Record<string, string>): SideAction | undefined {
  if (!MODEL_ACTION_ROUTES.has(routePath) || params.modelAction === undefined) return undefined
  const { model, method } = splitAction(params.modelAction)
  const embed = EMBED_METHODS.has(method) ? services.context.registry.dialect(GEMINI_EMBED_DIALECT) : undefined
  if (embed) return (request, clientIp, requestId) => handleRelay(services, embed, { request, params, clientIp, requestId, route: routePath })
  if (method !== 'countTokens') return undefined
  const codec = services.context.registry.dialect(GEMINI_DIALECT)
  if (!codec) return undefined
  return async (request, clientIp, requestId) => {
    try {
      return await countTokens(services, codec, request, clientIp, model)
    } catch (error) {
      return relayRouteFailure(services, codec, requestId, error)
    }
  }
}
