import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent, HubPart, Usage } from '@hanggent/plugin-sdk'
import type { HubStreamDecoder } from '@hanggent/plugin-sdk'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { GeminiStreamChunk } from '../../schemas/gemini-generate.ts'
import { candidateParts } from './convert-gemini-result.ts'
import { convertGeminiUsage } from './convert-gemini-usage.ts'
import { decodeStreamWith, isRecord, jsonPushDecoder, nowSeconds, parseCheckedChunk } from '@hanggent/plugin-sdk'
import { mapGeminiBlockReason, mapGeminiFinishReason } from './map-gemini-finish-reason.ts'

// see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
// With `alt=sse` every event is a whole GenerateContentResponse holding the next piece of each
// candidate. Gemini sends function calls whole, so each becomes a start plus one delta with all its
// arguments. Every chunk repeats cumulative usage; only the last counts and is emitted once, at the end.
// Parts a stream cannot carry in hub events (inline images) are skipped.

/** What the decoder remembers between chunks. */
interface DecodeState {
  started: boolean
  usage?: Usage
  /** Per candidate: tool calls started so far. */
  toolCounts: Map<number, number>
}

function partEvents(index: number, part: HubPart, state: DecodeState): HubEvent[] {
  switch (part.type) {
    case 'text':
      return [{ type: 'text-delta', index, text: part.text }]
    case 'reasoning':
      return [
        part.signature
          ? { type: 'reasoning-delta', index, text: part.text, signature: part.signature, signatureOrigin: part.signatureOrigin }
          : { type: 'reasoning-delta', index, text: part.text },
      ]
    case 'tool-call': {
      const toolIndex = state.toolCounts.get(index) ?? 0
      state.toolCounts.set(index, toolIndex + 1)
      return [
        { type: 'tool-call-start', index, toolIndex, id: part.id, name: part.name },
        { type: 'tool-call-delta', index, toolIndex, argumentsDelta: part.arguments },
      ]
    }
    default:
      return []
  }
}

/** The hub events of one parsed chunk (usage is only remembered). */
function chunkEvents(chunk: GeminiStreamChunk, state: DecodeState, env: ConversionEnv): HubEvent[] {
  const events: HubEvent[] = []
  if (!state.started) {
    state.started = true
    events.push({ type: 'message-start', id: chunk.responseId || env.newId(''), model: chunk.modelVersion || env.model || '', created: nowSeconds(env) })
  }
  if (chunk.usageMetadata) state.usage = convertGeminiUsage(chunk.usageMetadata)
  const candidates = chunk.candidates ?? []
  candidates.forEach((candidate, position) => {
    const index = candidate.index ?? position
    for (const part of candidateParts(candidate, env)) events.push(...partEvents(index, part, state))
    if (candidate.finishReason) {
      const reason = mapGeminiFinishReason(candidate.finishReason, (state.toolCounts.get(index) ?? 0) > 0)
      events.push({ type: 'finish', index, reason, rawReason: candidate.finishReason })
    }
  })
  const blockReason = chunk.promptFeedback?.blockReason
  if (candidates.length === 0 && blockReason) events.push({ type: 'finish', index: 0, reason: mapGeminiBlockReason(blockReason), rawReason: blockReason })
  return events
}

/** An error Google sent inside the stream, keeping its HTTP status when it has one. */
function streamError(error: unknown): HubEvent {
  const body = isRecord(error) ? error : {}
  const status = typeof body.code === 'number' && body.code >= 400 && body.code <= 599 ? body.code : 502
  const message = typeof body.message === 'string' ? body.message : 'Upstream reported an error inside the stream'
  return { type: 'error', status, code: 'upstream_error', message }
}

/** The chunk schema, compiled once. */
const checkChunk = TypeCompiler.Compile(GeminiStreamChunk)

/** A push decoder of one Gemini SSE stream: chunk by chunk; a malformed or error chunk ends it with an `error` event. */
export function createGeminiStreamDecoder(env: ConversionEnv): HubStreamDecoder {
  const state: DecodeState = { started: false, toolCounts: new Map() }
  /** Usage seen so far, reported once at the end (Gemini's usage is cumulative), or before a failure so it is still billed. */
  const heldUsage = (): HubEvent[] => (state.usage ? [{ type: 'usage', usage: state.usage }] : [])
  return jsonPushDecoder<GeminiStreamChunk>({
    parse: (event) => parseCheckedChunk(event.data, checkChunk, 'Gemini'),
    isEnd: (chunk) => chunk.error !== undefined,
    step: (chunk) => (chunk.error !== undefined ? [...heldUsage(), streamError(chunk.error)] : chunkEvents(chunk, state, env)),
    finish: heldUsage,
    beforeMalformed: heldUsage,
  })
}

/** Gemini SSE events as hub events, chunk by chunk; a malformed chunk or an error chunk ends the stream with an `error` event. */
export const decodeGeminiStream = decodeStreamWith(createGeminiStreamDecoder)
