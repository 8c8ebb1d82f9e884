import { definePlugin, HUB_VERSION, tokensByCharacters, type ModelSpec } from '@hanggent/plugin-sdk'
import { cohereChatDialect } from './cohere-chat-dialect.ts'
import { CohereSettings } from './cohere-settings.ts'
import { cohereTransport } from './cohere-transport.ts'
import { coherePricing } from './pricing.ts'
import { rerankDialect } from './rerank-dialect.ts'

const chatModel = (id: string): ModelSpec => ({ id, capabilities: ['chat', 'tools'] })
const rerankModel = (id: string): ModelSpec => ({ id, capabilities: ['rerank'] })

/**
 * Cohere: v2 chat reached through the hub (so OpenAI, Anthropic and Gemini clients can chat with Command
 * models, streams and tools included), and rerank, whose client-facing routes (`/v1/rerank`, `/v2/rerank`,
 * `/rerank`) this plugin brings for every channel type that speaks the `rerank` dialect (jina, openai-compatible).
 */
export default definePlugin({
  id: 'cohere',
  specVersion: '1.3',
  hubVersion: HUB_VERSION,
  name: 'Cohere',
  channelTypes: [{ id: 'cohere', label: 'Cohere', defaultBaseUrl: 'https://api.cohere.com', settings: CohereSettings, transport: cohereTransport }],
  models: [
    rerankModel('rerank-v3.5'),
    rerankModel('rerank-english-v3.0'),
    rerankModel('rerank-multilingual-v3.0'),
    chatModel('command-a-03-2025'),
    { id: 'command-a-reasoning-08-2025', capabilities: ['chat', 'tools', 'reasoning'] },
    chatModel('command-r-plus'),
    chatModel('command-r'),
  ],
  pricing: coherePricing,
  // Cohere's tokenizer is not shipped with the gateway: estimates count one token per three characters.
  tokenizers: { 'command-*': tokensByCharacters(3), 'rerank-*': tokensByCharacters(3) },
  dialects: [rerankDialect, cohereChatDialect],
})
