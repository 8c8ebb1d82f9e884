import type { ChannelContext, ChannelTransport, UpstreamCall, UpstreamRequest } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/overview#authentication — `x-api-key`, `anthropic-version`
// (required), optional `anthropic-beta` (comma-separated feature names), JSON bodies.
// see https://docs.claude.com/en/api/versioning — 2023-06-01 is the current version.

/** The API version sent when the channel sets none. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01'

/** The URL of an API path (`/messages`); a base URL that already ends in a version (`…/v1`) is not doubled. */
export function claudeUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '')
  return /\/v\d+[a-z]*$/.test(base) ? `${base}${path}` : `${base}/v1${path}`
}

/** The Messages URL. */
export function claudeMessagesUrl(baseUrl: string): string {
  return claudeUrl(baseUrl, '/messages')
}

function stringSetting(settings: Record<string, unknown>, name: string): string | undefined {
  const value = settings[name]
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/**
 * The `anthropic-beta` header: the channel's `betaHeaders` setting plus, on passthrough, the betas the
 * client asked for (Claude Code and the SDKs send them), without duplicates; undefined when none.
 */
function betaHeader(settings: Record<string, unknown>, clientHeaders: Headers | undefined): string | undefined {
  const configured = Array.isArray(settings.betaHeaders) ? settings.betaHeaders.filter((name): name is string => typeof name === 'string') : []
  const requested = (clientHeaders?.get('anthropic-beta') ?? '').split(',')
  const names = [...new Set([...configured, ...requested].map((name) => name.trim()).filter(Boolean))]
  return names.length > 0 ? names.join(',') : undefined
}

/** The key and API version headers every Anthropic request carries. */
export function claudeAuthHeaders(channel: ChannelContext): Record<string, string> {
  return { 'x-api-key': channel.key, 'anthropic-version': stringSetting(channel.settings, 'anthropicVersion') ?? DEFAULT_ANTHROPIC_VERSION }
}

/** Adds the channel's `headers` setting (lower-cased names) to `headers`. */
export function addExtraHeaders(headers: Record<string, string>, settings: Record<string, unknown>): Record<string, string> {
  const extraHeaders = settings.headers
  if (typeof extraHeaders === 'object' && extraHeaders !== null) {
    for (const [name, value] of Object.entries(extraHeaders)) if (typeof value === 'string') headers[name.toLowerCase()] = value
  }
  return headers
}

/** Builds the upstream request for Anthropic's Messages API; pure. */
export function buildClaudeRequest(call: UpstreamCall): UpstreamRequest {
  if (call.endpoint !== 'chat') throw new Error(`Claude transport has no path for endpoint "${call.endpoint}"`)
  const { channel } = call
  const headers: Record<string, string> = { 'content-type': 'application/json', ...claudeAuthHeaders(channel) }
  if (call.stream) headers.accept = 'text/event-stream'
  const beta = betaHeader(channel.settings, call.clientHeaders)
  if (beta) headers['anthropic-beta'] = beta
  addExtraHeaders(headers, channel.settings)
  return { url: claudeMessagesUrl(channel.baseUrl), method: 'POST', headers, body: call.rawBody ?? JSON.stringify(call.body) }
}

/** Transport of the `claude` channel type: Anthropic speaks only its own Messages dialect. */
export const claudeTransport: ChannelTransport = {
  nativeDialects: ['claude.messages'],
  buildRequest: buildClaudeRequest,
}
