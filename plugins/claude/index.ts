import { Type } from '@sinclair/typebox'
import { definePlugin, PLUGIN_SPEC_VERSION } from '@hanggent/plugin-sdk'
import { HUB_VERSION } from '@hanggent/plugin-sdk'
import { claudeMessagesDialect } from './claude-dialect.ts'
import { claudeModels } from './claude-models.ts'
import { claudeTransport, DEFAULT_ANTHROPIC_VERSION } from './claude-transport.ts'
import { claudeModelListing } from './claude-upstream-models.ts'
import { claudePricing } from './pricing.ts'

/** Anthropic Claude: the Messages API as an upstream, and `POST /v1/messages` for Anthropic clients. */
export default definePlugin({
  id: 'claude',
  specVersion: PLUGIN_SPEC_VERSION,
  hubVersion: HUB_VERSION,
  name: 'Anthropic Claude',
  channelTypes: [
    {
      id: 'claude',
      label: 'Anthropic Claude',
      defaultBaseUrl: 'https://api.anthropic.com',
      settings: Type.Object({
        anthropicVersion: Type.Optional(Type.String({ minLength: 1, default: DEFAULT_ANTHROPIC_VERSION, description: 'anthropic-version header' })),
        betaHeaders: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Beta features sent in the anthropic-beta header, e.g. interleaved-thinking-2025-05-14' })),
        headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra HTTP headers sent upstream' })),
      }, { additionalProperties: false }),
      transport: claudeTransport,
      modelListing: claudeModelListing,
    },
  ],
  models: claudeModels,
  pricing: claudePricing,
  dialects: [claudeMessagesDialect],
})
