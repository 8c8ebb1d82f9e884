import { Type } from '@sinclair/typebox'
import { GatewayError, readSettings, withExtraHeaders, type ChannelContext, type ChannelTransport, type UpstreamRequest } from '@hanggent/plugin-sdk'

// Suno-API takes `Authorization: Bearer <SECRET_TOKEN>` and serves its routes under the base URL.
// see github.com/Suno-API/Suno-API middleware/auth.go and router.go

/** Settings of the `suno` channel type. */
export const SunoChannelSettings = Type.Object({
  headers: Type.Optional(
    Type.Record(Type.String(), Type.String(), { title: 'Extra headers', description: 'Sent with every request to this Suno-API instance.' }),
  ),
})

/** The headers of every Suno-API request. */
export function sunoHeaders(channel: ChannelContext): Record<string, string> {
  const settings = readSettings(SunoChannelSettings, channel.settings)
  return withExtraHeaders({ authorization: `Bearer ${channel.key}`, 'content-type': 'application/json' }, settings.headers)
}

/** A request to a Suno-API path. */
export function sunoRequest(channel: ChannelContext, method: 'GET' | 'POST', path: string, body?: unknown): UpstreamRequest {
  const request: UpstreamRequest = { url: `${channel.baseUrl}${path}`, method, headers: sunoHeaders(channel) }
  if (body !== undefined) request.body = JSON.stringify(body)
  return request
}

/** Suno channels serve only the task platform; no chat dialect goes to them. */
export const sunoTransport: ChannelTransport = {
  nativeDialects: [],
  buildRequest() {
    throw new GatewayError(501, 'not_implemented', 'Suno channels serve only /suno task routes')
  },
}
