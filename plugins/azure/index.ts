import { definePlugin, PLUGIN_SPEC_VERSION } from '@hanggent/plugin-sdk'
import { AzureChannelSettings, azureTransport } from './azure-transport.ts'
import { azureModelListing } from './azure-upstream-models.ts'
import { azureRealtimeTransport } from './azure-realtime.ts'
import { openAIPricing } from '../openai/pricing.ts'

/** Azure OpenAI: OpenAI's wire format behind per-deployment URLs. Prices follow OpenAI's list prices. */
export default definePlugin({
  id: 'azure',
  specVersion: PLUGIN_SPEC_VERSION,
  name: 'Azure OpenAI',
  channelTypes: [
    {
      id: 'azure',
      label: 'Azure OpenAI',
      settings: AzureChannelSettings,
      transport: azureTransport,
      modelListing: azureModelListing,
      realtime: azureRealtimeTransport,
    },
  ],
  models: [],
  pricing: openAIPricing,
  dialects: [],
})
