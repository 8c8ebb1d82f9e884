import type { ChannelTransport, UpstreamCall, UpstreamRequest } from '@hanggent/plugin-sdk'
import { COHERE_CHAT_DIALECT } from './cohere-chat-dialect.ts'
import { RERANK_DIALECT } from './rerank-dialect.ts'
import { documentText } from './rerank-request.ts'

// see https://docs.cohere.com/reference/chat (POST /v2/chat) and https://docs.cohere.com/reference/rerank
// (POST /v2/rerank: `documents` is a list of strings; structured data goes as YAML-like strings). Bearer auth.

/**
 * A rerank body as Cohere v2 takes it: object documents (Jina's `{text}`, structured records) become strings,
 * keeping only `rank_fields` when the client named them, and `return_documents` is left out: both are v1
 * parameters v2 no longer has (the rerank dialect fills the documents into the answer itself).
 */
export function cohereRerankBody(body: Record<string, unknown>): Record<string, unknown> {
  const { rank_fields: rankFields, return_documents: _filledByTheGateway, documents, ...rest } = body
  const fields = Array.isArray(rankFields) ? rankFields.filter((field): field is string => typeof field === 'string') : undefined
  return { ...rest, documents: Array.isArray(documents) ? documents.map((document) => documentText(document, fields)) : documents }
}

/** Whether a rerank body can go as the client's bytes: every document is already a string and no v1-only parameter is set. */
function allStringDocuments(body: Record<string, unknown>): boolean {
  return (
    Array.isArray(body.documents) &&
    body.documents.every((document) => typeof document === 'string') &&
    body.rank_fields === undefined &&
    body.return_documents === undefined
  )
}

/** Builds a request to Cohere's v2 chat or rerank endpoint. */
export function buildCohereRequest(call: UpstreamCall): UpstreamRequest {
  const headers: Record<string, string> = {
    authorization: `Bearer ${call.channel.key}`,
    'content-type': 'application/json',
    accept: call.stream ? 'text/event-stream' : 'application/json',
  }
  if (call.endpoint === 'rerank') {
    const body = allStringDocuments(call.body) ? (call.rawBody ?? JSON.stringify(call.body)) : JSON.stringify(cohereRerankBody(call.body))
    return { url: `${call.channel.baseUrl}/v2/rerank`, method: 'POST', headers, body }
  }
  return { url: `${call.channel.baseUrl}/v2/chat`, method: 'POST', headers, body: JSON.stringify(call.body) }
}

/** Transport of the `cohere` channel type: chat through the hub, rerank as Cohere's own dialect. */
export const cohereTransport: ChannelTransport = {
  nativeDialects: [COHERE_CHAT_DIALECT, RERANK_DIALECT],
  buildRequest: buildCohereRequest,
}
