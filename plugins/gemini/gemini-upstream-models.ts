import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { UpstreamModelListing } from '@hanggent/plugin-sdk'
import { geminiApiVersion, geminiAuthHeaders, geminiRootUrl } from './gemini-transport.ts'

// see https://ai.google.dev/api/models#method:-models.list — `GET /v1beta/models?pageSize=…&pageToken=…`
// answers `{models: [{name: "models/<id>", displayName, supportedGenerationMethods, …}], nextPageToken}`;
// pageSize is at most 1000. The key goes in `x-goog-api-key` (Google accepts it there as well as in
// `?key=`), as on every other call of the transport, so it stays out of URLs and proxy logs.

/** The largest page Google serves. */
const PAGE_SIZE = 1000

const GeminiModelPage = Type.Object({
  models: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
  nextPageToken: Type.Optional(Type.String()),
})

/** The model ids of one page (without the `models/` prefix) and the next page token; throws when the body has another shape. */
export function parseGeminiModelPage(body: unknown): { models: string[]; nextCursor?: string } {
  if (!Value.Check(GeminiModelPage, body)) throw new Error('expected {"models": [{"name": …}], "nextPageToken": …}')
  const models = (body.models ?? []).map((model) => model.name.replace(/^models\//, ''))
  return body.nextPageToken ? { models, nextCursor: body.nextPageToken } : { models }
}

/** Model listing of the `gemini` channel type. */
export const geminiModelListing: UpstreamModelListing = {
  buildRequest(channel, cursor) {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) })
    if (cursor) query.set('pageToken', cursor)
    return { url: `${geminiRootUrl(channel.baseUrl, geminiApiVersion(channel.settings))}/models?${query}`, method: 'GET', headers: geminiAuthHeaders(channel) }
  },
  parsePage: parseGeminiModelPage,
}
