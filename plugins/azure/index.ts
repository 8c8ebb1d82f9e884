import { Type } from '@sinclair/typebox'
import { definePlugin, PLUGIN_SPEC_VERSION } from '@hanggent/plugin-sdk'
import { azureTransport } from './azure-transport.ts'
import { azureModelListing } from './azure-upstream-models.ts'
import { openAIPricing } from '../openai/pricing.ts'

/** Azure OpenAI: OpenAI's wire format behind per-deployment URLs. Prices follow OpenAI's list prices. */
export default definePlugin({
  id: 'azure',
  specVersion: PLUGIN_SPEC_VERSION,
  name: 'Azure OpenAI',
  channelTypes: [{
    id: 'azure',
    label: 'Azure OpenAI',
    settings: Type.Object({
      apiVersion: Type.Optional(Type.String({ minLength: 1, description: 'API version; default: the gateway\'s AZURE_DEFAULT_API_VERSION' })),
      deployments: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Model → deployment name; by default the model name without dots' })),
    }, { additionalProperties: false }),
    transport: azureTransport,
    modelListing: azureModelListing,
  }],
  models: [],
  pricing: openAIPricing,
  dialects: [],
})
