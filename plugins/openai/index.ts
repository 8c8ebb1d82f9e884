import { definePlugin, PLUGIN_SPEC_VERSION, type ModelSpec } from '@hanggent/plugin-sdk'
import { HUB_VERSION } from '@hanggent/plugin-sdk'
import { openAIBalanceReaders } from './openai-balance-readers.ts'
import { openAIChatDialect, openAICompletionsDialect, openAIEmbeddingsDialect } from './openai-dialects.ts'
import { openAIResponsesDialect } from './openai-responses-dialect.ts'
import { openAIResponsesChannelType } from './openai-responses-channel.ts'
import { openAIAccountSettings, openAICompatibleSettings } from './openai-settings.ts'
import { openAICompatibleTransport, openAITransport } from './openai-transport.ts'
import { openAIModelListing } from './openai-upstream-models.ts'
import { openAIRealtimeTransport } from './openai-realtime.ts'
import { openAIPricing } from './pricing.ts'
import { openAIAudioDialects, openAIAudioModels } from './openai-audio-dialects.ts'
import { openAIImageDialects } from './openai-images-dialects.ts'
import { openAIImageModels } from './openai-image-models.ts'

const chatModel = (id: string, extra: ModelSpec['capabilities'] = []): ModelSpec => ({ id, capabilities: ['chat', 'tools', ...extra] })
/** A model OpenAI serves on the Responses API only: other dialects reach it converted (ModelSpec.dialects). */
const responsesModel = (id: string, extra: ModelSpec['capabilities'] = []): ModelSpec => ({ ...chatModel(id, extra), dialects: ['openai.responses'] })

/** OpenAI and every vendor that speaks its API (DeepSeek, Groq, vLLM, Ollama, …). */
export default definePlugin({
  id: 'openai',
  specVersion: PLUGIN_SPEC_VERSION,
  hubVersion: HUB_VERSION,
  name: 'OpenAI',
  channelTypes: [
    {
      id: 'openai',
      label: 'OpenAI',
      defaultBaseUrl: 'https://api.openai.com',
      settings: openAIAccountSettings,
      transport: openAITransport,
      modelListing: openAIModelListing,
      balanceReaders: openAIBalanceReaders,
      realtime: openAIRealtimeTransport,
    },
    {
      id: 'openai-compatible',
      label: 'OpenAI-compatible',
      settings: openAICompatibleSettings,
      transport: openAICompatibleTransport,
      modelListing: openAIModelListing,
      balanceReaders: openAIBalanceReaders,
    },
    openAIResponsesChannelType,
  ],
  models: [
    chatModel('gpt-5', ['vision', 'reasoning']),
    chatModel('gpt-5-mini', ['vision', 'reasoning']),
    chatModel('gpt-5-nano', ['vision', 'reasoning']),
    chatModel('gpt-4.1', ['vision']),
    chatModel('gpt-4.1-mini', ['vision']),
    chatModel('gpt-4o', ['vision']),
    chatModel('gpt-4o-mini', ['vision']),
    chatModel('o3', ['vision', 'reasoning']),
    chatModel('o3-mini', ['reasoning']),
    chatModel('o4-mini', ['vision', 'reasoning']),
    chatModel('gpt-3.5-turbo'),
    { id: 'gpt-3.5-turbo-instruct', capabilities: ['completions'] },
    { id: 'text-embedding-3-small', capabilities: ['embeddings'] },
    { id: 'text-embedding-3-large', capabilities: ['embeddings'] },
    // see https://platform.openai.com/docs/models: served on the Responses API only (Chat Completions answers 404)
    responsesModel('o1-pro', ['vision', 'reasoning']),
    responsesModel('o3-pro', ['vision', 'reasoning']),
    responsesModel('gpt-5-pro', ['vision', 'reasoning']),
    responsesModel('gpt-5-codex', ['vision', 'reasoning']),
    responsesModel('codex-mini-latest', ['reasoning']),
    chatModel('deepseek-chat'),
    chatModel('deepseek-reasoner', ['reasoning']),
    ...openAIAudioModels,
    ...openAIImageModels,
  ],
  pricing: openAIPricing,
  dialects: [openAIChatDialect, openAIResponsesDialect, openAICompletionsDialect, openAIEmbeddingsDialect, ...openAIImageDialects, ...openAIAudioDialects],
})
