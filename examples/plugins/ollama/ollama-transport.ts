import { isRecord, readSettings, type ChannelContext, type ChannelTransport, type UpstreamModelListing, type UpstreamModelPage } from '@hanggent/plugin-sdk'
import type { OllamaTags } from './ollama-api.ts'
import { OllamaSettings } from './ollama-settings.ts'

// How an Ollama server is reached: `POST /api/chat` on the channel's base URL, a bearer key only when
// the channel has one (an Ollama behind an authenticating proxy; a local Ollama takes none), and the
// pulled models from `GET /api/tags`.

/** The dialect id Ollama channels speak; only the gateway speaks it (through the hub), so it has no routes. */
export const OLLAMA_DIALECT = 'ollama.chat'

/** The bearer header when the channel has a key; none for a bare local Ollama. */
export function ollamaAuthHeaders(channel: ChannelContext): Record<string, string> {
  return channel.key.trim() === '' ? {} : { authorization: `Bearer ${channel.key}` }
}

/** Sends chat calls to `POST /api/chat`, with the channel's keep_alive when it sets one. */
export const ollamaTransport: ChannelTransport = {
  nativeDialects: [OLLAMA_DIALECT],
  buildRequest: (call) => {
    const { keepAlive } = readSettings(OllamaSettings, call.channel.settings)
    const body = isRecord(call.body) && keepAlive !== undefined ? { ...call.body, keep_alive: keepAlive } : call.body
    return {
      url: `${call.channel.baseUrl}/api/chat`,
      method: 'POST',
      headers: { ...ollamaAuthHeaders(call.channel), 'content-type': 'application/json', accept: call.stream ? 'application/x-ndjson' : 'application/json' },
      body: JSON.stringify(body),
    }
  },
}

/** Reads `/api/tags`; throws on a body that is not a model list, which the gateway reports as a bad upstream answer. */
export function parseOllamaTags(body: unknown): UpstreamModelPage {
  const tags = (isRecord(body) ? body : {}) as OllamaTags
  if (!Array.isArray(tags.models)) throw new Error('the tag list has no "models" array')
  return { models: tags.models.flatMap((model) => (typeof model.name === 'string' && model.name !== '' ? [model.name] : [])) }
}

/** The models pulled on the server (`GET /api/tags`, one page): what "fetch upstream models" fills a channel with. */
export const ollamaModelListing: UpstreamModelListing = {
  buildRequest: (channel) => ({ url: `${channel.baseUrl}/api/tags`, method: 'GET', headers: { ...ollamaAuthHeaders(channel), accept: 'application/json' } }),
  parsePage: parseOllamaTags,
}
