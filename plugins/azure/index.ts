import { Type } from '@sinclair/typebox'
import { definePlugin } from '../../core/plugin/define-plugin.ts'
import { createAzureTransport, FALLBACK_API_VERSION } from './azure-transport.ts'
import { createAzureModelListing } from './azure-upstream-models.ts'
import { openAIPricing } from '../openai/pricing.ts'

/** AZURE_DEFAULT_API_VERSION is validated by the core at start; the plugin reads the same variable. */
const defaultApiVersion = process.env.AZURE_DEFAULT_API_VERSION?.trim() || FALLBACK_API_VERSION

/** Azure OpenAI: OpenAI's wire format behind per-deployment URLs. Prices follow OpenAI's list prices. */
export default definePlugin({
  id: 'azure',
  specVersion: 1,
  name: 'Azure OpenAI',
  channelTypes: [{
    id: 'azure',
    label: 'Azure OpenAI',
    settings: Type.Object({
      apiVersion: Type.Optional(Type.String({ minLength: 1, description: `API version; default ${defaultApiVersion} (AZURE_DEFAULT_API_VERSION)` })),
      deployments: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Model → deployment name; by default the model name without dots' })),
    }, { additionalProperties: false }),
    transport: createAzureTransport(defaultApiVersion),
    modelListing: createAzureModelListing(defaultApiVersion),
  }],
  models: [],
  pricing: openAIPricing,
  dialects: [],
})
