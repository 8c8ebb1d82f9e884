import { definePlugin, HUB_VERSION, type UpstreamDialectCodec } from '@hanggent/plugin-sdk'
import { convertToOllamaRequest } from './convert-to-ollama-request.ts'
import { decodeOllamaResult, decodeOllamaStream, frameOllamaStream, readOllamaError } from './ollama-decode.ts'
import { OllamaSettings } from './ollama-settings.ts'
import { OLLAMA_DIALECT, ollamaModelListing, ollamaTransport } from './ollama-transport.ts'

// Ollama's native API (see README.md): its own chat body and answer, tool-call arguments as objects,
// thinking as its own message member, and a newline-delimited JSON stream the plugin frames itself
// (`frameStream`, contract 1.1). Every call goes through the hub, so OpenAI, Claude and Gemini clients
// all reach it. Install it as a package and load it with PLUGINS=hanggent-plugin-ollama.

/** Ollama's chat dialect: reached from any client dialect through the hub. */
const ollamaChat: UpstreamDialectCodec = {
  dialect: OLLAMA_DIALECT,
  endpoint: 'chat',
  readUpstreamError: readOllamaError,
  hub: { encodeRequest: convertToOllamaRequest, decodeResult: decodeOllamaResult, decodeStream: decodeOllamaStream, frameStream: frameOllamaStream },
}

/**
 * A local model costs the operator nothing per token, so the models this plugin names are listed at zero
 * token prices: calls are not refused for want of a price, usage rows still carry the token counts, and an
 * admin's price override (Models & pricing) bills them when the Ollama is a paid shared service. Keys use
 * Ollama's `family:tag` names (`qwen3:8b`), which no other provider uses; other pulled models need a price
 * from the admin (or self-use mode), like any unpriced model.
 */
const FREE_LOCAL = { inputPerMTok: 0, outputPerMTok: 0 }

export default definePlugin({
  id: 'ollama',
  specVersion: '1.1',
  hubVersion: HUB_VERSION,
  name: 'Ollama (example)',
  channelTypes: [
    {
      id: 'ollama',
      label: 'Ollama (example plugin)',
      defaultBaseUrl: 'http://127.0.0.1:11434',
      settings: OllamaSettings,
      transport: ollamaTransport,
      modelListing: ollamaModelListing,
    },
  ],
  models: [
    { id: 'qwen3:8b', capabilities: ['chat', 'tools', 'reasoning'], contextWindow: 40_960 },
    { id: 'llama3.2:3b', capabilities: ['chat', 'tools'], contextWindow: 131_072 },
    { id: 'gpt-oss:20b', capabilities: ['chat', 'tools', 'reasoning'], contextWindow: 131_072 },
  ],
  pricing: { 'qwen3:*': FREE_LOCAL, 'llama3.2:*': FREE_LOCAL, 'gpt-oss:*': FREE_LOCAL },
  dialects: [ollamaChat],
})
