import {
  finiteNumber,
  isRecord,
  recordMember,
  versionedUrl,
  type ModelPrice,
  type RealtimeConnectCall,
  type RealtimeResponseUsage,
  type RealtimeSessionCall,
  type RealtimeTransport,
  type UpstreamRequest,
  type RealtimeUpstreamSocket,
} from '@hanggent/plugin-sdk'
import { openAIAuthHeaders } from './openai-transport.ts'

// see https://platform.openai.com/docs/guides/realtime-websocket — `wss://api.openai.com/v1/realtime?model=…`,
// `Authorization: Bearer`, and `OpenAI-Beta: realtime=v1` for the beta protocol (the GA protocol sends none).
// see https://platform.openai.com/docs/api-reference/realtime-server-events/response/done — usage of a response:
// input_tokens, output_tokens, input_token_details {text_tokens, audio_tokens, cached_tokens,
// cached_tokens_details {text_tokens, audio_tokens}}, output_token_details {text_tokens, audio_tokens}.
// text_tokens and audio_tokens include their cached part.

/** `Usage.quantities` names of the audio token counts a realtime response reports, priced per token in `perUnit`. */
export const REALTIME_QUANTITIES = {
  /** Uncached audio input tokens. */
  audioInput: 'audioInputTokens',
  /** Audio input tokens read from the cache. */
  cachedAudioInput: 'cachedAudioInputTokens',
  /** Audio output tokens. */
  audioOutput: 'audioOutputTokens',
} as const

/** A realtime model's price: text per 1M tokens as usual, audio per token through `perUnit` (list prices are per 1M). */
export function realtimePrice(text: { input: number; cached: number; output: number }, audio: { input: number; cached: number; output: number }): ModelPrice {
  return {
    inputPerMTok: text.input,
    cacheReadPerMTok: text.cached,
    outputPerMTok: text.output,
    perUnit: {
      [REALTIME_QUANTITIES.audioInput]: audio.input / 1_000_000,
      [REALTIME_QUANTITIES.cachedAudioInput]: audio.cached / 1_000_000,
      [REALTIME_QUANTITIES.audioOutput]: audio.output / 1_000_000,
    },
  }
}

/** The `ws(s)://` form of an `http(s)://` URL. */
export function webSocketUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, (_match, secure: string) => (secure === '' ? 'ws://' : 'wss://'))
}

/** A non-negative count from a usage member; absent or malformed counts are 0. */
function count(record: Record<string, unknown> | undefined, key: string): number {
  const value = finiteNumber(record?.[key])
  return value === undefined || value < 0 ? 0 : Math.floor(value)
}

/**
 * The usage of a `response.done` event, split by modality and cache: text in the token fields, audio in
 * `quantities`. Undefined for any other event, and for a response.done without usage.
 */
export function readOpenAIRealtimeUsage(event: unknown): RealtimeResponseUsage | undefined {
  if (isRecord(event) && event.type === 'conversation.item.input_audio_transcription.completed') return readTranscriptionUsage(event)
  if (!isRecord(event) || event.type !== 'response.done') return undefined
  const response = recordMember(event, 'response')
  const usage = recordMember(response, 'usage')
  if (!usage) return undefined
  const input = recordMember(usage, 'input_token_details')
  const cached = recordMember(input, 'cached_tokens_details')
  const output = recordMember(usage, 'output_token_details')
  const inputTotal = count(usage, 'input_tokens')
  const outputTotal = count(usage, 'output_tokens')
  // Without a modality split every token is text; without a cache split every cached token is text.
  const audioIn = count(input, 'audio_tokens')
  const textIn = input && 'text_tokens' in input ? count(input, 'text_tokens') : Math.max(0, inputTotal - audioIn)
  const cachedAudio = Math.min(audioIn, count(cached, 'audio_tokens'))
  const cachedText = Math.min(
    textIn,
    cached && 'text_tokens' in cached ? count(cached, 'text_tokens') : Math.max(0, count(input, 'cached_tokens') - cachedAudio),
  )
  const audioOut = count(output, 'audio_tokens')
  const textOut = output && 'text_tokens' in output ? count(output, 'text_tokens') : Math.max(0, outputTotal - audioOut)
  const id = response?.id
  const status = response?.status
  return {
    ...(typeof id === 'string' ? { responseId: id } : {}),
    ...(typeof status === 'string' ? { status } : {}),
    usage: {
      inputTokens: textIn - cachedText,
      cacheReadTokens: cachedText,
      cacheWriteTokens: 0,
      outputTokens: textOut,
      reasoningTokens: 0,
      quantities: {
        [REALTIME_QUANTITIES.audioInput]: audioIn - cachedAudio,
        [REALTIME_QUANTITIES.cachedAudioInput]: cachedAudio,
        [REALTIME_QUANTITIES.audioOutput]: audioOut,
      },
      raw: usage,
    },
  }
}

// see https://platform.openai.com/docs/api-reference/realtime-server-events — conversation.item.input_audio_transcription.completed
// carries `usage` billed at the transcription model's price: {type: 'tokens', input_tokens, output_tokens,
// input_token_details {text_tokens, audio_tokens}} for token-billed models, or {type: 'duration', seconds} (whisper-1).

/**
 * The usage of a finished input transcription, at the transcription model's token prices (its input price covers
 * audio and text input alike, as its price table does); undefined without token usage (duration usage is not metered).
 */
function readTranscriptionUsage(event: Record<string, unknown>): RealtimeResponseUsage | undefined {
  const usage = recordMember(event, 'usage')
  if (!usage || usage.type !== 'tokens') return undefined
  const item = event.item_id
  return {
    ...(typeof item === 'string' ? { responseId: item } : {}),
    status: 'completed',
    usage: {
      inputTokens: count(usage, 'input_tokens'),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: count(usage, 'output_tokens'),
      reasoningTokens: 0,
      raw: usage,
    },
  }
}

/** The OpenAI realtime socket: `/v1/realtime?model=…` under the channel's base URL, its auth headers, and the client's `OpenAI-Beta` when it sent one. */
export function buildOpenAIRealtimeSocket(call: RealtimeConnectCall): RealtimeUpstreamSocket {
  // A transcription session names no model in the URL: the transcription model is set by the client's session update.
  const query = call.intent === 'transcription' ? 'intent=transcription' : `model=${encodeURIComponent(call.model)}`
  const url = `${webSocketUrl(versionedUrl(call.channel.baseUrl, '/realtime'))}?${query}`
  const headers = openAIAuthHeaders(call.channel)
  const beta = call.clientHeaders.get('openai-beta')
  if (beta) headers['openai-beta'] = beta
  return { url, headers }
}

// see https://platform.openai.com/docs/api-reference/realtime-sessions — POST /v1/realtime/sessions,
// /v1/realtime/transcription_sessions and (GA) /v1/realtime/client_secrets, JSON in and out, Bearer auth.

/** The request creating an ephemeral session or client secret on OpenAI; the client's body as it is, model mapped. */
export function buildOpenAIRealtimeSessionRequest(call: RealtimeSessionCall): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...openAIAuthHeaders(call.channel) }
  const beta = call.clientHeaders.get('openai-beta')
  if (beta) headers['openai-beta'] = beta
  return { url: versionedUrl(call.channel.baseUrl, `/realtime/${call.kind}`), method: 'POST', headers, body: JSON.stringify(call.body) }
}

/** Realtime sessions on OpenAI (and vendors serving the same protocol at `/v1/realtime`). */
export const openAIRealtimeTransport: RealtimeTransport = {
  connect: buildOpenAIRealtimeSocket,
  readUsage: readOpenAIRealtimeUsage,
  sessionRequest: buildOpenAIRealtimeSessionRequest,
}
