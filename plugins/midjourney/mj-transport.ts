import { Type } from '@sinclair/typebox'
import { GatewayError, readSettings, withExtraHeaders, type ChannelContext, type ChannelTransport, type UpstreamRequest } from '@hanggent/plugin-sdk'

// Midjourney-Proxy (novicezk/midjourney-proxy) and Midjourney-Proxy-Plus take the secret in the
// `mj-api-secret` header and serve every route under `/mj`; the mode prefixes (`/mj-fast/mj/…`) are the
// gateway's own and never go upstream. see github.com/novicezk/midjourney-proxy (docs/api.md)

/** Settings of the `midjourney` channel type. */
export const MidjourneyChannelSettings = Type.Object({
  headers: Type.Optional(
    Type.Record(Type.String(), Type.String(), { title: 'Extra headers', description: 'Sent with every request to this Midjourney-Proxy.' }),
  ),
})

/** The headers of every Midjourney-Proxy request; a leading `Bearer ` on the key is dropped, as proxies expect the bare secret. */
export function midjourneyHeaders(channel: ChannelContext): Record<string, string> {
  const settings = readSettings(MidjourneyChannelSettings, channel.settings)
  const secret = channel.key.replace(/^bearer\s+/i, '')
  return withExtraHeaders({ 'mj-api-secret': secret, 'content-type': 'application/json' }, settings.headers)
}

/** A request to a Midjourney-Proxy path (which starts with `/mj/`). */
export function midjourneyRequest(channel: ChannelContext, method: 'GET' | 'POST', path: string, body?: unknown): UpstreamRequest {
  const request: UpstreamRequest = { url: `${channel.baseUrl}${path}`, method, headers: midjourneyHeaders(channel) }
  if (body !== undefined) request.body = JSON.stringify(body)
  return request
}

/** Midjourney channels serve only the task platform; no chat dialect goes to them. */
export const midjourneyTransport: ChannelTransport = {
  nativeDialects: [],
  buildRequest() {
    throw new GatewayError(501, 'not_implemented', 'Midjourney channels serve only the /mj task routes')
  },
}
