import { definePlugin, PLUGIN_SPEC_VERSION } from '@hanggent/plugin-sdk'
import { HUB_VERSION } from '@hanggent/plugin-sdk'
import { claudeMessagesDialect } from './claude-dialect.ts'
import { claudeModels } from './claude-models.ts'
import { ClaudeChannelSettings, claudeTransport } from './claude-transport.ts'
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
      settings: ClaudeChannelSettings,
      transport: claudeTransport,
      modelListing: claudeModelListing,
    },
  ],
  models: claudeModels,
  pricing: claudePricing,
  dialects: [claudeMessagesDialect],
})
