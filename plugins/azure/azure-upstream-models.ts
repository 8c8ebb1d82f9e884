import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { UpstreamModelListing } from '@hanggent/plugin-sdk'
import { azureApiVersion, azureResourceUrl } from './azure-transport.ts'

// see https://learn.microsoft.com/azure/ai-services/openai/reference (Models - List):
// `GET {endpoint}/openai/models?api-version=…` with the `api-key` header answers
// `{object: "list", data: [{id, status, capabilities: {inference, chat_completion, …}, lifecycle_status, …}]}`,
// the base and fine-tuned models the resource may use. The data-plane deployments list was retired
// after api-version 2023-03-15-preview, so the models list is what a key alone can read today.

const AzureModelList = Type.Object({
  data: Type.Array(Type.Object({ id: Type.String(), capabilities: Type.Optional(Type.Object({ inference: Type.Optional(Type.Boolean()) })) })),
})

/** The model ids of a models-list body, leaving out models that only fine-tune (no inference); throws on another shape. */
export function parseAzureModelList(body: unknown): string[] {
  if (!Value.Check(AzureModelList, body)) throw new Error('expected {"data": [{"id": …}]}')
  return body.data.filter((model) => model.capabilities?.inference !== false).map((model) => model.id)
}

/** Model listing of the `azure` channel type; the API version is the channel's, else the gateway's AZURE_DEFAULT_API_VERSION. */
export const azureModelListing: UpstreamModelListing = {
  buildRequest: (channel) => ({
    url: `${azureResourceUrl(channel.baseUrl)}/openai/models?api-version=${encodeURIComponent(azureApiVersion(channel.settings, channel.config.azureDefaultApiVersion))}`,
    method: 'GET',
    headers: { 'api-key': channel.key },
  }),
  parsePage: (body) => ({ models: parseAzureModelList(body) }),
}
