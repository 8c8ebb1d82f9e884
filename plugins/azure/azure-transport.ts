import { Type } from '@sinclair/typebox'
import { IMAGE_PATHS } from '../openai/openai-image-models.ts'
import { AUDIO_PATHS } from '../openai/openai-audio-dialects.ts'
import { readSettings, type ChannelTransport, type EndpointKind, type UpstreamCall, type UpstreamRequest } from '@hanggent/plugin-sdk'

// see https://learn.microsoft.com/azure/ai-services/openai/reference — deployment URLs
// `/openai/deployments/{deployment}/chat/completions?api-version=…`, `api-key` header; the Responses
// API lives at `/openai/responses?api-version=…` with the deployment as `model`.

const deploymentPaths: Partial<Record<EndpointKind, string>> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
}

/** Settings of the `azure` channel type. */
export const AzureChannelSettings = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ minLength: 1, description: "API version; default: the gateway's AZURE_DEFAULT_API_VERSION" })),
    deployments: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Model → deployment name; by default the model name without dots' }),
    ),
  },
  { additionalProperties: false },
)

/** The deployment serving a model: the channel's explicit map, else the model name without dots (Azure forbids them). */
export function deploymentFor(model: string, deployments: Record<string, string> | undefined): string {
  return deployments?.[model] || model.replaceAll('.', '')
}

/** The channel's API version setting, else the default. */
export function azureApiVersion(settings: Record<string, unknown>, defaultApiVersion: string): string {
  return readSettings(AzureChannelSettings, settings).apiVersion ?? defaultApiVersion
}

/** The resource endpoint without a trailing `/openai`, which the paths add. */
export function azureResourceUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/openai$/, '')
}

/** Builds an Azure OpenAI request; `defaultApiVersion` comes from AZURE_DEFAULT_API_VERSION. */
export function buildAzureRequest(call: UpstreamCall, defaultApiVersion: string): UpstreamRequest {
  const { channel } = call
  const apiVersion = azureApiVersion(channel.settings, defaultApiVersion)
  const deployment = deploymentFor(call.model, readSettings(AzureChannelSettings, channel.settings).deployments)
  const base = azureResourceUrl(channel.baseUrl)
  const query = `api-version=${encodeURIComponent(apiVersion)}`
  const headers: Record<string, string> = { 'content-type': 'application/json', 'api-key': channel.key }
  if (call.stream) headers.accept = 'text/event-stream'
  if (call.endpoint === 'responses') {
    return { url: `${base}/openai/responses?${query}`, method: 'POST', headers, body: JSON.stringify({ ...call.body, model: deployment }) }
  }
  // Images: `/openai/deployments/{d}/images/generations|edits|variations`, see https://learn.microsoft.com/azure/ai-foundry/openai/reference#image-generation
  // Audio: `/openai/deployments/{d}/audio/speech|transcriptions|translations`, see https://learn.microsoft.com/azure/ai-foundry/openai/reference
  const path = call.endpoint === 'image' ? IMAGE_PATHS[call.dialect] : call.endpoint === 'audio' ? AUDIO_PATHS[call.dialect] : deploymentPaths[call.endpoint]
  if (!path) throw new Error(`Azure transport has no path for endpoint "${call.endpoint}"`)
  return {
    url: `${base}/openai/deployments/${encodeURIComponent(deployment)}${path}?${query}`,
    method: 'POST',
    headers,
    body: call.rawBody ?? JSON.stringify(call.body),
  }
}

/**
 * Azure serves the OpenAI dialects natively, so same-dialect calls pass through. The default API version
 * is the gateway's AZURE_DEFAULT_API_VERSION, handed over in the channel context.
 */
export const azureTransport: ChannelTransport = {
  nativeDialects: ['openai.chat', 'openai.completions', 'openai.embeddings', 'openai.responses', ...Object.keys(IMAGE_PATHS), ...Object.keys(AUDIO_PATHS)],
  buildRequest: (call) => buildAzureRequest(call, call.channel.config.azureDefaultApiVersion),
}
