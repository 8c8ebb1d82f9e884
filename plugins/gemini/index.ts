import { definePlugin, PLUGIN_SPEC_VERSION, type ModelSpec } from '@hanggent/plugin-sdk'
import { HUB_VERSION } from '@hanggent/plugin-sdk'
import { geminiGenerateDialect } from './gemini-dialect.ts'
import { geminiEmbedDialect } from './gemini-embed-dialect.ts'
import { GeminiChannelSettings, geminiTransport } from './gemini-transport.ts'
import { geminiModelListing } from './gemini-upstream-models.ts'
import { geminiPricing } from './pricing.ts'
import { imagenConversion, imagenModels, imagenPricing } from './gemini-imagen.ts'

// see https://ai.google.dev/gemini-api/docs/models (ids, context windows, capabilities)

const MILLION_TOKEN_CONTEXT = 1_048_576

const chatModel = (id: string, extra: ModelSpec['capabilities'] = []): ModelSpec => ({
  id,
  capabilities: ['chat', 'tools', 'vision', ...extra],
  contextWindow: MILLION_TOKEN_CONTEXT,
})

/** Google's Gemini API (Generative Language API, v1beta) as an upstream and as the `gemini.generate` client dialect. */
export default definePlugin({
  id: 'gemini',
  specVersion: PLUGIN_SPEC_VERSION,
  hubVersion: HUB_VERSION,
  name: 'Google Gemini',
  channelTypes: [
    {
      id: 'gemini',
      label: 'Google Gemini',
      defaultBaseUrl: 'https://generativelanguage.googleapis.com',
      settings: GeminiChannelSettings,
      transport: geminiTransport,
      modelListing: geminiModelListing,
    },
  ],
  models: [
    chatModel('gemini-3-pro-preview', ['reasoning', 'audio']),
    chatModel('gemini-2.5-pro', ['reasoning', 'audio']),
    chatModel('gemini-2.5-flash', ['reasoning', 'audio']),
    chatModel('gemini-2.5-flash-lite', ['reasoning', 'audio']),
    { id: 'gemini-2.5-flash-image', capabilities: ['chat', 'vision', 'image'], contextWindow: 32_768 },
    chatModel('gemini-2.0-flash', ['audio']),
    chatModel('gemini-2.0-flash-lite'),
    { id: 'gemini-embedding-001', capabilities: ['embeddings'], contextWindow: 2048 },
    { id: 'text-embedding-004', capabilities: ['embeddings'], contextWindow: 2048 },
    ...imagenModels,
  ],
  pricing: { ...geminiPricing, ...imagenPricing },
  mediaConversions: [imagenConversion],
  dialects: [geminiGenerateDialect, geminiEmbedDialect],
})
