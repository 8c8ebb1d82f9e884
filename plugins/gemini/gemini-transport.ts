import { Type } from '@sinclair/typebox'
import { readSettings, withExtraHeaders, type ChannelContext, type ChannelTransport, type UpstreamCall, type UpstreamRequest } from '@hanggent/plugin-sdk'
import { GEMINI_DIALECT } from './gemini-extra.ts'
import { GEMINI_IMAGEN_DIALECT } from './gemini-imagen.ts'
import { GEMINI_EMBED_DIALECT } from './gemini-embed-dialect.ts'

// see https://ai.google.dev/api/generate-content — POST {base}/v1beta/models/{model}:generateContent and
// :streamGenerateContent?alt=sse (SSE instead of a JSON array); see https://ai.google.dev/gemini-api/docs/api-key
// for the `x-goog-api-key` header (the key stays out of URLs and so out of proxy logs).

/** Settings of the `gemini` channel type. */
export const GeminiChannelSettings = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.Union([Type.Literal('v1beta'), Type.Literal('v1'), Type.Literal('v1alpha')], {
        default: 'v1beta',
        description: 'API version path used when the base URL names none; v1 lacks beta fields such as parametersJsonSchema',
      }),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra HTTP headers sent upstream' })),
  },
  { additionalProperties: false },
)

/** The versioned API root; a base URL that already ends in a version (`…/v1beta`) is not given another. */
export function geminiRootUrl(baseUrl: string, apiVersion = 'v1beta'): string {
  const base = baseUrl.replace(/\/+$/, '')
  return /\/v\d+(?:alpha|beta)?\d*$/.test(base) ? base : `${base}/${apiVersion}`
}

/** The channel's API version setting, else v1beta. */
export function geminiApiVersion(settings: Record<string, unknown>): string {
  return readSettings(GeminiChannelSettings, settings).apiVersion ?? 'v1beta'
}

/** The key header plus the channel's extra headers. */
export function geminiAuthHeaders(channel: ChannelContext): Record<string, string> {
  return withExtraHeaders({ 'x-goog-api-key': channel.key }, readSettings(GeminiChannelSettings, channel.settings).headers)
}

/** The method URL. */
export function geminiEndpointUrl(baseUrl: string, model: string, stream: boolean, apiVersion = 'v1beta'): string {
  const root = geminiRootUrl(baseUrl, apiVersion)
  const name = encodeURIComponent(model.replace(/^models\//, ''))
  return stream ? `${root}/models/${name}:streamGenerateContent?alt=sse` : `${root}/models/${name}:generateContent`
}

/** The embedding method URL: `:batchEmbedContents` for a body with `requests`, else `:embedContent`; see https://ai.google.dev/api/embeddings. */
export function geminiEmbedUrl(baseUrl: string, model: string, batch: boolean, apiVersion = 'v1beta'): string {
  const name = encodeURIComponent(model.replace(/^models\//, ''))
  return `${geminiRootUrl(baseUrl, apiVersion)}/models/${name}:${batch ? 'batchEmbedContents' : 'embedContent'}`
}

/** The Imagen `:predict` request for a model on a Gemini channel (see gemini-imagen.ts). */
export function buildImagenRequest(call: UpstreamCall): UpstreamRequest {
  const { channel } = call
  const name = encodeURIComponent(call.model.replace(/^models\//, ''))
  return {
    url: `${geminiRootUrl(channel.baseUrl, geminiApiVersion(channel.settings))}/models/${name}:predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...geminiAuthHeaders(channel) },
    body: JSON.stringify(call.body),
  }
}

/** Builds the upstream request for Google's Generative Language API. */
export function buildGeminiRequest(call: UpstreamCall): UpstreamRequest {
  const { channel } = call
  if (call.endpoint === 'image') return buildImagenRequest(call)
  if (call.endpoint === 'embeddings') {
    return {
      url: geminiEmbedUrl(channel.baseUrl, call.model, Array.isArray(call.body.requests), geminiApiVersion(channel.settings)),
      method: 'POST',
      headers: { 'content-type': 'application/json', ...geminiAuthHeaders(channel) },
      body: call.rawBody ?? JSON.stringify(call.body),
    }
  }
  if (call.endpoint !== 'chat') throw new Error(`Gemini transport has no method for endpoint "${call.endpoint}"`)
  // The channel's extra headers come last, so they may override any of these.
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(call.stream ? { accept: 'text/event-stream' } : {}),
    ...geminiAuthHeaders(channel),
  }
  return {
    url: geminiEndpointUrl(channel.baseUrl, call.model, call.stream, geminiApiVersion(channel.settings)),
    method: 'POST',
    headers,
    body: call.rawBody ?? JSON.stringify(call.body),
  }
}

/** Transport of the `gemini` channel type: Gemini's own generateContent and embedding dialects. */
export const geminiTransport: ChannelTransport = {
  nativeDialects: [GEMINI_DIALECT, GEMINI_EMBED_DIALECT, GEMINI_IMAGEN_DIALECT],
  buildRequest: buildGeminiRequest,
}
