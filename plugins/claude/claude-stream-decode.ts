import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent } from '@hanggent/plugin-sdk'
import type { HubStreamDecoder } from '@hanggent/plugin-sdk'
import type { ClaudeBlockDelta, ClaudeContentBlock, ClaudeStopReason, ClaudeStreamEvent, ClaudeUnknownBlock, ClaudeUsage } from './claude-api.ts'
import { statusForClaudeErrorType } from './claude-errors.ts'
import { convertClaudeUsage, mergeClaudeUsage } from './convert-claude-usage.ts'
import { mapClaudeStopReason } from './map-claude-stop-reason.ts'
import { decodeStreamWith, jsonPushDecoder, nowSeconds, parseJsonChunk, type SseEvent } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/docs/build-with-claude/streaming#event-types
// message_start (input usage) → content blocks, each start / deltas / stop → message_delta (stop
// reason, cumulative usage) → message_stop. The input side is sent as a usage event right away, so
// a stream cut midway still bills the exact (often cached) input; the complete usage, merged as
// Anthropic's SDK does (counters in message_delta replace those of message_start), follows the
// finish at message_stop and is the last usage event, which the hub takes as final. A stream cut
// before message_delta must not look finished. Tool blocks are numbered from 0 for the toolIndex.

/** What the decoder remembers between events. */
interface DecodeState {
  started: boolean
  usage?: ClaudeUsage
  stopReason?: ClaudeStopReason | null
  /** Hub tool index by content block index. */
  tools: Map<number, number>
}

function blockStart(index: number, block: ClaudeContentBlock | ClaudeUnknownBlock, state: DecodeState): HubEvent[] {
  const known = block as ClaudeContentBlock
  switch (known.type) {
    case 'text':
      return known.text ? [{ type: 'text-delta', index: 0, text: known.text }] : []
    case 'thinking':
      return known.thinking ? [{ type: 'reasoning-delta', index: 0, text: known.thinking }] : []
    case 'redacted_thinking':
      return [{ type: 'reasoning-delta', index: 0, text: '', signature: known.data, redacted: true, signatureOrigin: 'anthropic' }]
    case 'tool_use': {
      const toolIndex = state.tools.size
      state.tools.set(index, toolIndex)
      const events: HubEvent[] = [{ type: 'tool-call-start', index: 0, toolIndex, id: known.id, name: known.name }]
      const input = known.input
      if (typeof input === 'object' && input !== null && Object.keys(input).length > 0)
        events.push({ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: JSON.stringify(input) })
      return events
    }
    default:
      // Server tool blocks ran on Anthropic's side; they are not calls for the client to answer.
      return []
  }
}

function blockDelta(index: number, delta: ClaudeBlockDelta, state: DecodeState): HubEvent[] {
  switch (delta.type) {
    case 'text_delta':
      return delta.text ? [{ type: 'text-delta', index: 0, text: delta.text }] : []
    case 'thinking_delta':
      return delta.thinking ? [{ type: 'reasoning-delta', index: 0, text: delta.thinking }] : []
    case 'signature_delta':
      return [{ type: 'reasoning-delta', index: 0, text: '', signature: delta.signature, signatureOrigin: 'anthropic' }]
    case 'input_json_delta': {
      const toolIndex = state.tools.get(index)
      return toolIndex !== undefined && delta.partial_json ? [{ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: delta.partial_json }] : []
    }
    default:
      return []
  }
}

function finishEvents(state: DecodeState): HubEvent[] {
  const raw = state.stopReason ?? undefined
  const events: HubEvent[] = [{ type: 'finish', index: 0, reason: mapClaudeStopReason(raw), ...(raw ? { rawReason: raw } : {}) }]
  if (state.usage) events.push({ type: 'usage', usage: convertClaudeUsage(state.usage) })
  return events
}

/** The hub events of one parsed stream event. */
function streamEvents(event: ClaudeStreamEvent, state: DecodeState, env: ConversionEnv): HubEvent[] {
  switch (event.type) {
    case 'message_start':
      if (state.started) return []
      state.started = true
      state.usage = event.message?.usage ?? undefined
      return [
        { type: 'message-start', id: event.message?.id ?? env.newId('msg_'), model: event.message?.model || env.model || '', created: nowSeconds(env) },
        ...(state.usage ? [{ type: 'usage' as const, usage: convertClaudeUsage(state.usage) }] : []),
      ]
    case 'content_block_start':
      return event.content_block ? blockStart(event.index, event.content_block, state) : []
    case 'content_block_delta':
      return event.delta ? blockDelta(event.index, event.delta, state) : []
    case 'message_delta':
      if (event.delta && 'stop_reason' in event.delta) state.stopReason = event.delta.stop_reason
      if (event.usage) state.usage = mergeClaudeUsage(state.usage, event.usage)
      return []
    default:
      return []
  }
}

function streamError(error: { type?: unknown; message?: unknown } | undefined): HubEvent {
  const type = typeof error?.type === 'string' ? error.type : undefined
  const message = typeof error?.message === 'string' ? error.message : 'Upstream reported an error inside the stream'
  return { type: 'error', status: statusForClaudeErrorType(type), code: type ?? 'upstream_error', message }
}

/** A push decoder of one Anthropic stream: event by event; done at message_stop or the first error. */
export function createClaudeStreamDecoder(env: ConversionEnv): HubStreamDecoder {
  const state: DecodeState = { started: false, tools: new Map() }
  const typeOf = (event: ClaudeStreamEvent, sse: SseEvent) => (typeof event.type === 'string' ? event.type : sse.event)
  return jsonPushDecoder<ClaudeStreamEvent>({
    parse: (sse) => parseJsonChunk(sse.data, 'Upstream sent a malformed stream event'),
    isEnd(event, sse) {
      const type = typeOf(event, sse)
      return type === 'error' || type === 'message_stop'
    },
    step(event, sse) {
      const type = typeOf(event, sse)
      if (type === 'error') return [streamError((event as { error?: { type?: unknown; message?: unknown } }).error)]
      if (type === 'message_stop') return finishEvents(state)
      return streamEvents(event.type === type ? event : ({ ...event, type } as ClaudeStreamEvent), state, env)
    },
    // message_delta comes after the last content block: a stream cut between it and message_stop
    // delivered the whole answer, so it still finishes. Cut any earlier, it never does.
    finish: () => (state.stopReason !== undefined ? finishEvents(state) : []),
  })
}

/** Anthropic stream events as hub events, yielded as each arrives; ends at message_stop or the first error. */
export const decodeClaudeStream = decodeStreamWith(createClaudeStreamDecoder)
