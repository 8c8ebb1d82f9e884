import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import type { UpstreamRequest } from '@hanggent/plugin-sdk'
import { channelClient, type ChannelTarget } from './channel-client.ts'

/** Pages followed at most; an upstream that keeps handing out cursors is cut off here. */
export const MAX_MODEL_PAGES = 50
/** Time each page may take. */
const PAGE_TIMEOUT_MS = 20_000

/** A connection to list models with: the channel's type, base URL (or none for the type's default), one key and settings. */
export type ModelListTarget = ChannelTarget

/** The upstream's error message from a failed answer, read with the type's own dialect when it has one. */
function upstreamMessage(context: AppContext, type: string, status: number, text: string): string {
  const dialect = context.registry
    .channelType(type)
    ?.spec.transport.nativeDialects.map((id) => context.registry.upstreamDialect(id))
    .find(Boolean)
  if (dialect) return dialect.readUpstreamError(status, text).message
  return text.slice(0, 300) || `HTTP ${status}`
}

/** Sends one page request; failures become 502/504 errors that say what the upstream did. */
async function fetchPage(context: AppContext, type: string, request: UpstreamRequest, signal: AbortSignal | undefined): Promise<unknown> {
  const { status, text } = await channelClient(context).read(request, { timeoutMs: PAGE_TIMEOUT_MS, signal, purpose: 'the model list request' })
  if (status < 200 || status > 299)
    throw new GatewayError(502, 'upstream_error', `The upstream answered ${status} to the model list request: ${upstreamMessage(context, type, status, text)}`)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new GatewayError(502, 'bad_upstream_response', 'The upstream answered the model list request with something that is not JSON')
  }
}

/**
 * The models an upstream account offers, through its channel type's `modelListing` capability:
 * every page in turn, duplicates dropped, in the upstream's order. 501 when the type has no listing.
 */
export async function listUpstreamModels(context: AppContext, target: ModelListTarget, signal?: AbortSignal): Promise<string[]> {
  const registered = context.registry.channelType(target.type)
  if (!registered) throw new GatewayError(400, 'invalid_request', `type: unknown channel type "${target.type}"`, { param: 'type' })
  const listing = registered.spec.modelListing
  if (!listing) throw new GatewayError(501, 'not_implemented', `Channel type "${target.type}" cannot list its upstream's models; enter them by hand`)
  const channel = channelClient(context).channel(target)
  const models = new Set<string>()
  let cursor: string | undefined
  for (let page = 0; page < MAX_MODEL_PAGES; page += 1) {
    const body = await fetchPage(context, target.type, listing.buildRequest(channel, cursor), signal)
    let parsed: ReturnType<typeof listing.parsePage>
    try {
      parsed = listing.parsePage(body)
    } catch (error) {
      throw new GatewayError(
        502,
        'bad_upstream_response',
        `The upstream's model list has an unexpected shape: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    for (const model of parsed.models) models.add(model)
    if (!parsed.nextCursor || parsed.nextCursor === cursor) break
    cursor = parsed.nextCursor
  }
  return [...models]
}
