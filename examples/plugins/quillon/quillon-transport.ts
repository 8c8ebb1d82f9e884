import { isRecord, readSettings, type ChannelContext, type ChannelTransport, type UpstreamModelListing, type UpstreamModelPage } from '@hanggent/plugin-sdk'
import type { QuillonCatalogPage } from './quillon-api.ts'
import { QuillonSettings } from './quillon-settings.ts'

// How Quillon is reached: its own key header instead of `Authorization: Bearer`, an optional project
// header from the channel's settings, and its own model catalog, paginated by token.

/** The dialect id Quillon channels speak; only the gateway speaks it (through the hub), so it has no routes. */
export const QUILLON_DIALECT = 'quillon.chat'

/** Models per catalog page the gateway asks for. */
const CATALOG_PAGE_SIZE = 50

/** The headers of every Quillon request: the key in `X-Api-Key`, and the channel's project when it names one. */
export function quillonHeaders(channel: ChannelContext): Record<string, string> {
  const { project } = readSettings(QuillonSettings, channel.settings)
  return { 'x-api-key': channel.key, ...(project ? { 'x-quillon-project': project } : {}) }
}

/** Sends chat calls to `POST /v1/chat/completions`. */
export const quillonTransport: ChannelTransport = {
  nativeDialects: [QUILLON_DIALECT],
  buildRequest: (call) => ({
    url: `${call.channel.baseUrl}/v1/chat/completions`,
    method: 'POST',
    headers: { ...quillonHeaders(call.channel), 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json' },
    body: JSON.stringify(call.body),
  }),
}

/** Reads one catalog page; throws on a body that is not one, which the gateway reports as a bad upstream answer. */
export function parseQuillonCatalogPage(body: unknown): UpstreamModelPage {
  const page = (isRecord(body) ? body : {}) as QuillonCatalogPage
  if (!Array.isArray(page.models)) throw new Error('the catalog has no "models" array')
  const models = page.models.flatMap((model) => (typeof model.slug === 'string' && model.slug !== '' && model.kind !== 'embedding' ? [model.slug] : []))
  return { models, ...(typeof page.next_page_token === 'string' && page.next_page_token !== '' ? { nextCursor: page.next_page_token } : {}) }
}

/** Quillon's catalog (`GET /v1/catalog`), chat models only: what "fetch upstream models" in the dashboard fills a channel with. */
export const quillonModelListing: UpstreamModelListing = {
  buildRequest(channel, cursor) {
    const query = new URLSearchParams({ page_size: String(CATALOG_PAGE_SIZE), ...(cursor ? { page_token: cursor } : {}) })
    return { url: `${channel.baseUrl}/v1/catalog?${query}`, method: 'GET', headers: { ...quillonHeaders(channel), accept: 'application/json' } }
  },
  parsePage: parseQuillonCatalogPage,
}
