import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent } from '@hanggent/plugin-sdk'
import type { HubStreamDecoder } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { decodeStreamWith, isRecord, jsonPushDecoder, MalformedChunk, nowSeconds, wrongShape } from '@hanggent/plugin-sdk'
import type { TObject, Static } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import {
  ClaudeBlockDeltaEvents,
  ClaudeBlockDeltaFrame,
  ClaudeBlockStartEvents,
  ClaudeBlockStartFrame,
  ClaudeErrorEvent,
  ClaudeMessageDeltaEvent,
  ClaudeMessageStartEvent,
  type ClaudeStreamEvent,
} from '../../schemas/claude-stream.ts'
import type { ClaudeUsage } from './claude-api.ts'
import { statusForClaudeErrorType } from './claude-errors.ts'
import { convertClaudeUsage, mergeClaudeUsage } from './convert-claude-usage.ts'
import { mapClaudeStopReason } from './map-claude-stop-reason.ts'

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
  stopReason?: string | null
  /** Hub tool index by content block index. */
  tools: Map<number, number>
}

type BlockStartEvent = Extract<ClaudeStreamEvent, { type: 'content_block_start' }>
type BlockDeltaEvent = Extract<ClaudeStreamEvent, { type: 'content_block_delta' }>

function blockStart(event: BlockStartEvent, state: DecodeState): HubEvent[] {
  const block = event.content_block
  switch (block.type) {
    case 'text':
      return block.text ? [{ type: 'text-delta', index: 0, text: block.text }] : []
    case 'thinking':
      return block.thinking ? [{ type: 'reasoning-delta', index: 0, text: block.thinking }] : []
    case 'redacted_thinking':
      return [{ type: 'reasoning-delta', index: 0, text: '', signature: block.data, redacted: true, signatureOrigin: 'anthropic' }]
    case 'tool_use': {
      const toolIndex = state.tools.size
      state.tools.set(event.index, toolIndex)
      const events: HubEvent[] = [{ type: 'tool-call-start', index: 0, toolIndex, id: block.id, name: block.name }]
      const input = block.input
      if (typeof input === 'object' && input !== null && Object.keys(input).length > 0)
        events.push({ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: JSON.stringify(input) })
      return events
    }
  }
}

function blockDelta(event: BlockDeltaEvent, state: DecodeState): HubEvent[] {
  const delta = event.delta
  switch (delta.type) {
    case 'text_delta':
      return delta.text ? [{ type: 'text-delta', index: 0, text: delta.text }] : []
    case 'thinking_delta':
      return delta.thinking ? [{ type: 'reasoning-delta', index: 0, text: delta.thinking }] : []
    case 'signature_delta':
      return [{ type: 'reasoning-delta', index: 0, text: '', signature: delta.signature, signatureOrigin: 'anthropic' }]
    case 'input_json_delta': {
      const toolIndex = state.tools.get(event.index)
      return toolIndex !== undefined && delta.partial_json ? [{ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: delta.partial_json }] : []
    }
  }
}

function finishEvents(state: DecodeState): HubEvent[] {
  const raw = state.stopReason ?? undefined
  const events: HubEvent[] = [{ type: 'finish', index: 0, reason: mapClaudeStopReason(raw), ...(raw ? { rawReason: raw } : {}) }]
  if (state.usage) events.push({ type: 'usage', usage: convertClaudeUsage(state.usage) })
  return events
}

/** The hub events of one checked stream event (not the terminal ones, which end the stream). */
function streamEvents(event: ClaudeStreamEvent, state: DecodeState, env: ConversionEnv): HubEvent[] {
  switch (event.type) {
    case 'message_start':
      if (state.started) return []
      state.started = true
      state.usage = event.message.usage ?? undefined
      return [
        { type: 'message-start', id: event.message.id ?? env.newId('msg_'), model: event.message.model || env.model || '', created: nowSeconds(env) },
        ...(state.usage ? [{ type: 'usage' as const, usage: convertClaudeUsage(state.usage) }] : []),
      ]
    case 'content_block_start':
      return blockStart(event, state)
    case 'content_block_delta':
      return blockDelta(event, state)
    case 'message_delta':
      if (event.delta && 'stop_reason' in event.delta) state.stopReason = event.delta.stop_reason
      if (event.usage) state.usage = mergeClaudeUsage(state.usage, event.usage)
      return []
    case 'message_stop':
      return finishEvents(state)
    case 'error':
      return [streamError(event.error)]
  }
}

function streamError(error: unknown): HubEvent {
  const body = isRecord(error) ? error : {}
  const type = typeof body.type === 'string' ? body.type : undefined
  const message = typeof body.message === 'string' ? body.message : 'Upstream reported an error inside the stream'
  return { type: 'error', status: statusForClaudeErrorType(type), code: type ?? 'upstream_error', message }
}

const compile = <T extends TObject>(schemas: Record<string, T>): Map<string, TypeCheck<T>> =>
  new Map(Object.entries(schemas).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]))

/** Each event type's schema, compiled once. */
const checkMessageStart = TypeCompiler.Compile(ClaudeMessageStartEvent)
const checkMessageDelta = TypeCompiler.Compile(ClaudeMessageDeltaEvent)
const checkError = TypeCompiler.Compile(ClaudeErrorEvent)
const checkBlockStarts = compile(ClaudeBlockStartEvents)
const checkBlockDeltas = compile(ClaudeBlockDeltaEvents)
const checkBlockStartFrame = TypeCompiler.Compile(ClaudeBlockStartFrame)
const checkBlockDeltaFrame = TypeCompiler.Compile(ClaudeBlockDeltaFrame)

/** An event of a type (or block or delta type) that carries nothing the decoder reads: ping, content_block_stop, server tools. */
const IGNORED = { type: 'ignored' } as const
type ParsedEvent = ClaudeStreamEvent | typeof IGNORED

const DIALECT = 'Anthropic'

function checked<T extends TObject>(value: unknown, check: TypeCheck<T>): Static<T> | MalformedChunk {
  return check.Check(value) ? value : wrongShape(value, check, DIALECT)
}

/** A block event whose block or delta type has a schema is checked against it; any other only against its frame. */
function checkedBlockEvent<T extends TObject>(value: Record<string, unknown>, member: string, checks: Map<string, TypeCheck<T>>, frame: TypeCheck<TObject>) {
  const inner = value[member]
  const check = isRecord(inner) && typeof inner.type === 'string' ? checks.get(inner.type) : undefined
  if (check) return checked(value, check)
  return frame.Check(value) ? IGNORED : wrongShape(value, frame, DIALECT)
}

/** An SSE event as a checked Anthropic event, named by its `type` (or, without one, by the SSE event name). */
function parseEvent(sse: SseEvent): ParsedEvent | MalformedChunk {
  let value: unknown
  try {
    value = JSON.parse(sse.data)
  } catch {
    return new MalformedChunk('Upstream sent a malformed stream event')
  }
  if (!isRecord(value)) return new MalformedChunk(`Upstream sent a malformed ${DIALECT} stream chunk: not an object`)
  const type = typeof value.type === 'string' ? value.type : sse.event
  if (value.type !== type) value.type = type
  switch (type) {
    case 'message_start':
      return checked(value, checkMessageStart)
    case 'content_block_start':
      return checkedBlockEvent(value, 'content_block', checkBlockStarts, checkBlockStartFrame)
    case 'content_block_delta':
      return checkedBlockEvent(value, 'delta', checkBlockDeltas, checkBlockDeltaFrame)
    case 'message_delta':
      return checked(value, checkMessageDelta)
    case 'message_stop':
      return { type }
    case 'error':
      return checked(value, checkError)
    default:
      return IGNORED
  }
}

/** A push decoder of one Anthropic stream: event by event; done at message_stop or the first error. */
export function createClaudeStreamDecoder(env: ConversionEnv): HubStreamDecoder {
  const state: DecodeState = { started: false, tools: new Map() }
  return jsonPushDecoder<ParsedEvent>({
    parse: parseEvent,
    isEnd: (event) => event.type === 'error' || event.type === 'message_stop',
    step: (event) => (event.type === 'ignored' ? [] : streamEvents(event, state, env)),
    // message_delta comes after the last content block: a stream cut between it and message_stop
    // delivered the whole answer, so it still finishes. Cut any earlier, it never does.
    finish: () => (state.stopReason !== undefined ? finishEvents(state) : []),
  })
}

/** Anthropic stream events as hub events, yielded as each arrives; ends at message_stop or the first error. */
export const decodeClaudeStream = decodeStreamWith(createClaudeStreamDecoder)
