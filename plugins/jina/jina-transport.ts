import { versionedUrl, type ChannelTransport, type UpstreamCall, type UpstreamRequest } from '@hanggent/plugin-sdk'
import { Type } from '@sinclair/typebox'

// see https://jina.ai/reranker and https://jina.ai/embeddings: POST {base}/v1/rerank and {base}/v1/embeddings,
// Bearer auth, JSON both ways. Jina's rerank request is Cohere's shape (documents may also be objects:
// `{text}`, or `{image}` for jina-reranker-m0) and its embeddings request is OpenAI's with extras
// (`task`, `dimensions`, `late_chunking`, `embedding_type`), so both go as the client sent them.

/** The dialects a Jina channel takes unchanged: the gateway's rerank dialect and OpenAI's embeddings. */
export const JINA_DIALECTS = ['rerank', 'openai.embeddings']

/** A Jina channel has no settings of its own. */
export const JinaSettings = Type.Object({}, { additionalProperties: false })

/** Builds the upstream request for a rerank or embeddings call. */
export function buildJinaRequest(call: UpstreamCall): UpstreamRequest {
  if (call.endpoint !== 'rerank' && call.endpoint !== 'embeddings') throw new Error(`Jina serves rerank and embeddings, not "${call.endpoint}"`)
  return {
    url: versionedUrl(call.channel.baseUrl, call.endpoint === 'rerank' ? '/rerank' : '/embeddings'),
    method: 'POST',
    headers: { authorization: `Bearer ${call.channel.key}`, 'content-type': 'application/json', accept: 'application/json' },
    body: call.rawBody ?? JSON.stringify(call.body),
  }
}

/** Transport of the `jina` channel type. */
export const jinaTransport: ChannelTransport = { nativeDialects: JINA_DIALECTS, buildRequest: buildJinaRequest }
