import { parseJsonObject, readBearerToken, type GatewayError, type TypedDialectCodec, type SseEvent } from '@hanggent/plugin-sdk'
import { RerankRequest } from '../../schemas/rerank.ts'
import { completeRerankAnswer } from './complete-rerank-answer.ts'
import { estimateRerankPrompt } from './rerank-request.ts'
import { readRerankUsage } from './rerank-usage.ts'

// The client-facing rerank dialect: Cohere's v2 request shape, which Jina's is a subset of. Channels that
// list `rerank` among their native dialects (cohere, jina, openai-compatible) receive the body as the
// client sent it (model mapped; the cohere transport turns object documents into Cohere's strings), and
// the answer comes back as the provider wrote it: Cohere's shape from Cohere, Jina's from Jina and the
// servers that copy it, with one completion: documents the client asked for and the upstream left out
// (Cohere v2 has no return_documents) are filled in from the request. A client is "a Jina client" exactly when it calls a model a Jina-shaped upstream
// serves. Errors the gateway raises itself use Cohere's shape `{message}` (plus our stable `code`), which
// Jina's and Cohere's SDKs both surface as the message.
// see https://docs.cohere.com/reference/rerank and https://docs.cohere.com/reference/errors

/** The dialect id transports list to accept rerank calls unchanged. */
export const RERANK_DIALECT = 'rerank'

/** An error in Cohere's shape, with the gateway's code beside the message. */
function rerankErrorBody(error: GatewayError): { message: string; code: string; param?: string } {
  return { message: error.message, code: error.code, ...(error.param ? { param: error.param } : {}) }
}

/** Cohere's `{message}`, Jina's FastAPI `{detail}` (a string or a list of field errors), else the text. */
export function readRerankUpstreamError(status: number, bodyText: string): { message: string; code?: string } {
  const body = parseJsonObject(bodyText)
  if (typeof body?.message === 'string') return { message: body.message }
  if (typeof body?.detail === 'string') return { message: body.detail }
  if (Array.isArray(body?.detail)) return { message: JSON.stringify(body.detail) }
  const text = bodyText.trim().slice(0, 500)
  return { message: text === '' ? `upstream answered HTTP ${status}` : text }
}

/** `POST /v1/rerank`, `/rerank` and `/v2/rerank` (the path Cohere's v2 SDK calls). */
export const rerankDialect: TypedDialectCodec<typeof RerankRequest> = {
  dialect: RERANK_DIALECT,
  endpoint: 'rerank',
  routes: [
    { method: 'POST', path: '/v1/rerank' },
    { method: 'POST', path: '/v2/rerank' },
    { method: 'POST', path: '/rerank' },
  ],
  requestSchema: RerankRequest,
  readKey: (request) => readBearerToken(request.headers),
  readModel: (body) => body.model,
  readStream: () => false,
  readMaxOutputTokens: () => 0,
  prepareUpstreamBody: (body, model) => ({ body: { ...body, model }, clientBytes: body.model === model ? {} : undefined }),
  estimatePrompt: estimateRerankPrompt,
  readUsage: readRerankUsage,
  completeAnswer: completeRerankAnswer,
  readUpstreamError: readRerankUpstreamError,
  renderError: (error) => ({ status: error.status, body: rerankErrorBody(error) }),
  renderStreamError: (error): SseEvent[] => [{ data: JSON.stringify(rerankErrorBody(error)) }],
}
