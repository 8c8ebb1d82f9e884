import { isRecord, readSettings, versionedUrl, type ChannelTransport, type UpstreamCall } from '@hanggent/plugin-sdk'
import { DifySettings } from './dify-settings.ts'

// How a Dify app is reached: `POST {base}/v1/chat-messages` with the app's API key as a bearer token
// (the key chooses the app; the model name the client sent only picks the channel). The channel's
// settings are applied here, since the hub conversion knows no channel: its default `inputs` under
// the request's own, and its user prefix before the request's `user`.
// see https://docs.dify.ai/en/api-reference/guides/chatflow (authentication, Send Chat Message)

/** The dialect id Dify channels speak; only the gateway speaks it (through the hub), so it has no routes. */
export const DIFY_DIALECT = 'dify.chat'

/** The body with the channel's default inputs and user prefix applied. */
export function withChannelSettings(body: Record<string, unknown>, settings: Record<string, unknown>): Record<string, unknown> {
  const { userPrefix, inputs } = readSettings(DifySettings, settings)
  const ownInputs = isRecord(body.inputs) ? body.inputs : {}
  const user = typeof body.user === 'string' ? body.user : ''
  return { ...body, inputs: { ...inputs, ...ownInputs }, user: `${userPrefix ?? ''}${user}` }
}

/** Sends chat calls to `POST /v1/chat-messages` (a base URL that already ends in `/v1` is not doubled). */
export const difyTransport: ChannelTransport = {
  nativeDialects: [DIFY_DIALECT],
  buildRequest: (call: UpstreamCall) => ({
    url: versionedUrl(call.channel.baseUrl, '/chat-messages'),
    method: 'POST',
    headers: {
      authorization: `Bearer ${call.channel.key}`,
      'content-type': 'application/json',
      accept: call.stream ? 'text/event-stream' : 'application/json',
    },
    body: JSON.stringify(withChannelSettings(call.body, call.channel.settings)),
  }),
}
