import { definePlugin, HUB_VERSION, PLUGIN_SPEC_VERSION, type UpstreamDialectCodec } from '@hanggent/plugin-sdk'
import { convertToDifyRequest } from './convert-to-dify-request.ts'
import { decodeDifyResult, decodeDifyStream, readDifyError } from './dify-decode.ts'
import { DifySettings } from './dify-settings.ts'
import { DIFY_DIALECT, difyTransport } from './dify-transport.ts'

// Dify chat apps (Chatflow, chatbot, agent) as channels: every client dialect reaches Dify's
// `POST /v1/chat-messages` through the hub. A channel is one app (its API key); the channel's model
// names are whatever the operator calls the app, so the plugin knows no models and no prices: the
// operator prices those names with price overrides (docs/dify.md).

/** Dify's chat dialect: reached from any client dialect through the hub. */
const difyChat: UpstreamDialectCodec = {
  dialect: DIFY_DIALECT,
  endpoint: 'chat',
  readUpstreamError: readDifyError,
  hub: { encodeRequest: convertToDifyRequest, decodeResult: decodeDifyResult, decodeStream: decodeDifyStream },
}

export default definePlugin({
  id: 'dify',
  specVersion: PLUGIN_SPEC_VERSION,
  hubVersion: HUB_VERSION,
  name: 'Dify',
  channelTypes: [
    {
      id: 'dify',
      label: 'Dify (chat app)',
      defaultBaseUrl: 'https://api.dify.ai',
      settings: DifySettings,
      transport: difyTransport,
    },
  ],
  models: [],
  pricing: {},
  dialects: [difyChat],
})
