import { definePlugin, HUB_VERSION, PLUGIN_SPEC_VERSION, type UpstreamDialectCodec } from '@hanggent/plugin-sdk'
import { convertToQuillonRequest } from './convert-to-quillon-request.ts'
import { decodeQuillonResult, decodeQuillonStream, readQuillonError } from './quillon-decode.ts'
import { QUILLON_DIALECT, quillonModelListing, quillonTransport } from './quillon-transport.ts'
import { QuillonSettings } from './quillon-settings.ts'

// Quillon Inference (fictional, see README.md): an OpenAI-compatible vendor whose answers differ just
// enough that OpenAI's dialect cannot bill them: usage comes in `x_usage`. So the plugin brings its
// own upstream-only dialect (OpenAI's body, Quillon's usage) and every call goes through the hub, which
// also lets Claude and Gemini clients call it. Install it as a package and load it with
// PLUGINS=hanggent-plugin-quillon.

/** Quillon's chat dialect: reached from any client dialect through the hub. */
const quillonChat: UpstreamDialectCodec = {
  dialect: QUILLON_DIALECT,
  endpoint: 'chat',
  readUpstreamError: readQuillonError,
  hub: { encodeRequest: convertToQuillonRequest, decodeResult: decodeQuillonResult, decodeStream: decodeQuillonStream },
}

export default definePlugin({
  id: 'quillon',
  specVersion: PLUGIN_SPEC_VERSION,
  hubVersion: HUB_VERSION,
  name: 'Quillon Inference (example)',
  channelTypes: [
    {
      id: 'quillon',
      label: 'Quillon Inference (example plugin)',
      defaultBaseUrl: 'https://api.quillon.example',
      settings: QuillonSettings,
      transport: quillonTransport,
      modelListing: quillonModelListing,
    },
  ],
  models: [
    { id: 'quillon-chat-large', capabilities: ['chat', 'tools', 'vision'], contextWindow: 131_072 },
    { id: 'quillon-chat-small', capabilities: ['chat', 'tools'], contextWindow: 32_768 },
  ],
  // Quillon's (fictional) list prices, USD per million tokens; cached input is read at a quarter of the price.
  pricing: {
    'quillon-chat-large': { inputPerMTok: 1, outputPerMTok: 3, cacheReadPerMTok: 0.25 },
    'quillon-chat-small': { inputPerMTok: 0.2, outputPerMTok: 0.6, cacheReadPerMTok: 0.05 },
  },
  dialects: [quillonChat],
})
