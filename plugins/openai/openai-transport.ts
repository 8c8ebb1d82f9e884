import {
  readSettings,
  versionedUrl,
  withExtraHeaders,
  type ChannelContext,
  type ChannelTransport,
  type EndpointKind,
  type UpstreamCall,
  type UpstreamRequest,
} from '@hanggent/plugin-sdk'
import { OpenAITransportSettings } from './openai-settings.ts'
import { openAIAssistantPrefill } from './openai-assistant-prefill.ts'
import { AUDIO_PATHS } from './openai-audio-dialects.ts'
import { IMAGE_PATHS } from './openai-image-models.ts'

// see https://platform.openai.com/docs/api-reference/introduction — paths under /v1, Bearer auth,
// optional OpenAI-Organization / OpenAI-Project headers.

const pathByEndpoint: Partial<Record<EndpointKind, string>> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  responses: '/responses',
  // vLLM, Xinference, SiliconFlow and other OpenAI-compatible servers answer Cohere/Jina-style rerank here.
  rerank: '/rerank',
}

/** The full URL for an endpoint; the image endpoint's three routes are told apart by dialect. */
export function openAIEndpointUrl(baseUrl: string, endpoint: EndpointKind, dialect?: string): string {
  const path = endpoint === 'image' ? IMAGE_PATHS[dialect ?? ''] : endpoint === 'audio' ? AUDIO_PATHS[dialect ?? ''] : pathByEndpoint[endpoint]
  if (!path) throw new Error(`OpenAI transport has no path for endpoint "${endpoint}"`)
  return versionedUrl(baseUrl, path)
}

/** Bearer auth, the organization and project headers, and the channel's extra headers. */
export function openAIAuthHeaders(channel: ChannelContext): Record<string, string> {
  const settings = readSettings(OpenAITransportSettings, channel.settings)
  const headers: Record<string, string> = { authorization: `Bearer ${channel.key}` }
  if (settings.organization) headers['openai-organization'] = settings.organization
  if (settings.project) headers['openai-project'] = settings.project
  return withExtraHeaders(headers, settings.headers)
}

/** Builds the upstream request for OpenAI and OpenAI-compatible vendors. */
export function buildOpenAIRequest(call: UpstreamCall): UpstreamRequest {
  const { channel } = call
  // The channel's extra headers come last, so they may override any of these.
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(call.stream ? { accept: 'text/event-stream' } : {}),
    ...openAIAuthHeaders(channel),
  }
  if (call.stream && readSettings(OpenAITransportSettings, channel.settings).streamUsage === false) {
    const { stream_options: _dropped, ...rest } = call.body
    return { url: openAIEndpointUrl(channel.baseUrl, call.endpoint, call.dialect), method: 'POST', headers, body: JSON.stringify(rest) }
  }
  return { url: openAIEndpointUrl(channel.baseUrl, call.endpoint, call.dialect), method: 'POST', headers, body: call.rawBody ?? JSON.stringify(call.body) }
}

/** Transport of the `openai` channel type: OpenAI itself speaks every OpenAI dialect, Responses included. */
export const openAITransport: ChannelTransport = {
  nativeDialects: ['openai.chat', 'openai.completions', 'openai.embeddings', 'openai.responses', ...Object.keys(IMAGE_PATHS), ...Object.keys(AUDIO_PATHS)],
  buildRequest: buildOpenAIRequest,
  // api.openai.com has no prefill contract; a vendor's host set on an `openai` channel has its own.
  assistantPrefill: openAIAssistantPrefill,
}

/**
 * Transport of the `openai-compatible` channel type. Most compatible vendors (DeepSeek, Groq,
 * Ollama, …) have no `/v1/responses`, so Responses clients reach them converted to Chat through the hub.
 * Rerank calls (the `rerank` dialect the cohere plugin brings) go to `{base}/v1/rerank` as the client sent them.
 */
export const openAICompatibleTransport: ChannelTransport = {
  nativeDialects: ['openai.chat', 'openai.completions', 'openai.embeddings', 'rerank'],
  buildRequest: buildOpenAIRequest,
  assistantPrefill: openAIAssistantPrefill,
}
