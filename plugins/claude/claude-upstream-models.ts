import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { UpstreamModelListing } from '@hanggent/plugin-sdk'
import { readSettings, versionedUrl, withExtraHeaders } from '@hanggent/plugin-sdk'
import { claudeAuthHeaders, ClaudeChannelSettings } from './claude-transport.ts'

// see https://docs.claude.com/en/api/models-list — `GET /v1/models?limit=…&after_id=…` with
// `x-api-key` and `anthropic-version`; answers `{data: [{type: "model", id, display_name, created_at}],
// has_more, first_id, last_id}`, newest first; `limit` is 1–1000 (default 20).

/** The largest page Anthropic serves. */
const PAGE_LIMIT = 1000

const ClaudeModelPage = Type.Object({
  data: Type.Array(Type.Object({ id: Type.String() })),
  has_more: Type.Optional(Type.Boolean()),
  last_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})

/** The model ids of one page and the `after_id` of the next; throws when the body has another shape. */
export function parseClaudeModelPage(body: unknown): { models: string[]; nextCursor?: string } {
  if (!Value.Check(ClaudeModelPage, body)) throw new Error('expected {"data": [{"id": …}], "has_more": …}')
  const models = body.data.map((model) => model.id)
  const next = body.has_more ? (body.last_id ?? models.at(-1)) : undefined
  return next ? { models, nextCursor: next } : { models }
}

/** Model listing of the `claude` channel type. */
export const claudeModelListing: UpstreamModelListing = {
  buildRequest(channel, cursor) {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT) })
    if (cursor) query.set('after_id', cursor)
    return {
      url: `${versionedUrl(channel.baseUrl, '/models')}?${query}`,
      method: 'GET',
      headers: withExtraHeaders(claudeAuthHeaders(channel), readSettings(ClaudeChannelSettings, channel.settings).headers),
    }
  },
  parsePage: parseClaudeModelPage,
}
