import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { UpstreamModelListing } from '@hanggent/plugin-sdk'
import { versionedUrl } from '@hanggent/plugin-sdk'
import { openAIAuthHeaders } from './openai-transport.ts'

// see https://platform.openai.com/docs/api-reference/models/list — `GET /v1/models` answers
// `{object: "list", data: [{id, object: "model", created, owned_by}]}` in one page; compatible
// vendors (DeepSeek, Groq, vLLM, Ollama, …) serve the same shape.

const OpenAIModelList = Type.Object({ data: Type.Array(Type.Object({ id: Type.String() })) })

/** The model ids of a `GET /v1/models` body; throws when the body has another shape. */
export function parseOpenAIModelList(body: unknown): string[] {
  if (!Value.Check(OpenAIModelList, body)) throw new Error('expected {"data": [{"id": …}]}')
  return body.data.map((model) => model.id)
}

/** Model listing of the `openai` and `openai-compatible` channel types. */
export const openAIModelListing: UpstreamModelListing = {
  buildRequest: (channel) => ({ url: versionedUrl(channel.baseUrl, '/models'), method: 'GET', headers: openAIAuthHeaders(channel) }),
  parsePage: (body) => ({ models: parseOpenAIModelList(body) }),
}
