import { Type } from '@sinclair/typebox'
import {
  readSettings,
  versionedUrl,
  withExtraHeaders,
  type ChannelContext,
  type ChannelTransport,
  type UpstreamCall,
  type UpstreamRequest,
} from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/overview#authentication — `x-api-key`, `anthropic-version`
// (required), optional `anthropic-beta` (comma-separated feature names), JSON bodies.
// see https://docs.claude.com/en/api/versioning — 2023-06-01 is the current version.

/** The API version sent when the channel sets none. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01'

/** Settings of the `claude` channel type. */
export const ClaudeChannelSettings = Type.Object(
  {
    anthropicVersion: Type.Optional(Type.String({ minLength: 1, default: DEFAULT_ANTHROPIC_VERSION, description: 'anthropic-version header' })),
    betaHeaders: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'Beta features sent in the anthropic-beta header, e.g. interleaved-thinking-2025-05-14' }),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra HTTP headers sent upstream' })),
  },
  { additionalProperties: false },
)

/** The Messages URL; a base URL that already ends in a version (`…/v1`) is not given another. */
export function claudeMessagesUrl(baseUrl: string): string {
  return versionedUrl(baseUrl, '/messages')
}

/**
 * The `anthropic-beta` header: the channel's `betaHeaders` setting plus, on passthrough, the betas the
 * client asked for (Claude Code and the SDKs send them), without duplicates; undefined when none.
 */
function betaHeader(configured: string[], clientHeaders: Headers | undefined): string | undefined {
  const requested = (clientHeaders?.get('anthropic-beta') ?? '').split(',')
  const names = [...new Set([...configured, ...requested].map((name) => name.trim()).filter(Boolean))]
  return names.length > 0 ? names.join(',') : undefined
}

/** The key and API version headers every Anthropic request carries. */
export function claudeAuthHeaders(channel: ChannelContext): Record<string, string> {
  const version = readSettings(ClaudeChannelSettings, channel.settings).anthropicVersion?.trim()
  return { 'x-api-key': channel.key, 'anthropic-version': version || DEFAULT_ANTHROPIC_VERSION }
}

/** Builds the upstream request for Anthropic's Messages API; pure. */
export function buildClaudeRequest(call: UpstreamCall): UpstreamRequest {
  if (call.endpoint !== 'chat') throw new Error(`Claude transport has no path for endpoint "${call.endpoint}"`)
  const { channel } = call
  const headers: Record<string, string> = { 'content-type': 'application/json', ...claudeAuthHeaders(channel) }
  if (call.stream) headers.accept = 'text/event-stream'
  const settings = readSettings(ClaudeChannelSettings, channel.settings)
  const beta = betaHeader(settings.betaHeaders ?? [], call.clientHeaders)
  if (beta) headers['anthropic-beta'] = beta
  withExtraHeaders(headers, settings.headers)
  return { url: claudeMessagesUrl(channel.baseUrl), method: 'POST', headers, body: call.rawBody ?? JSON.stringify(call.body) }
}

/** Transport of the `claude` channel type: Anthropic speaks only its own Messages dialect. */
export const claudeTransport: ChannelTransport = {
  nativeDialects: ['claude.messages'],
  buildRequest: buildClaudeRequest,
}
