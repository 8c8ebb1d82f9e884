import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { FinishReason, HubEvent, Usage } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError, type GatewayErrorCode } from '@hanggent/plugin-sdk'
import { claudeMessageId } from './claude-message-id.ts'
import { renderClaudeStreamError } from './claude-errors.ts'
import { toClaudeUsage } from './convert-claude-usage.ts'
import { toClaudeStopReason } from './map-claude-stop-reason.ts'
import { eventForClient } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/docs/build-with-claude/streaming#event-types
// Events as Anthropic sends them, each `event: <type>` with a `data` object repeating the type:
// message_start (an empty message), then one content block per run of text, per thinking block
// (a new one after each signature) and per tool call — content_block_start, deltas,
// content_block_stop — then message_delta (stop reason and the final usage, which Anthropic's SDKs
// take as authoritative) and message_stop. Usage may reach the hub after the finish (OpenAI sends
// it in a trailing chunk), so the finish is held until the input ends. message_start carries the
// usage known at that point (usually none yet: zeros). Anthropic has one answer per message:
// events of other choices are ignored.

type BlockKind = 'text' | 'thinking' | 'tool'

/** What the encoder remembers between events. */
interface EncodeState {
  started: boolean
  id?: string
  model: string
  /** The content block under way, if any; a thinking block is `signed` once its signature was sent. */
  open?: { kind: BlockKind; index: number; signed?: boolean }
  nextIndex: number
  /** Content block index of each hub tool call. */
  toolBlocks: Map<number, number>
  usage?: Usage
  finish?: { reason: FinishReason; raw?: string }
}

function sse(type: string, payload: Record<string, unknown> = {}): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...payload }) }
}

function messageStart(state: EncodeState, env: ConversionEnv): SseEvent[] {
  if (state.started) return []
  state.started = true
  const usage = { ...toClaudeUsage(state.usage), output_tokens: 0 }
  const message = {
    id: state.id ?? claudeMessageId(undefined, env),
    type: 'message',
    role: 'assistant',
    model: state.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage,
  }
  return [sse('message_start', { message })]
}

function closeBlock(state: EncodeState): SseEvent[] {
  if (!state.open) return []
  const { index } = state.open
  state.open = undefined
  return [sse('content_block_stop', { index })]
}

/** Closes the block under way and opens a new one. */
function openBlock(state: EncodeState, env: ConversionEnv, kind: BlockKind, contentBlock: Record<string, unknown>): SseEvent[] {
  const events = [...messageStart(state, env), ...closeBlock(state)]
  const index = state.nextIndex++
  state.open = { kind, index }
  events.push(sse('content_block_start', { index, content_block: contentBlock }))
  return events
}

function delta(index: number, payload: Record<string, unknown>): SseEvent {
  return sse('content_block_delta', { index, delta: payload })
}

function textEvents(text: string, state: EncodeState, env: ConversionEnv): SseEvent[] {
  if (text === '') return []
  const events = state.open?.kind === 'text' ? [] : openBlock(state, env, 'text', { type: 'text', text: '' })
  return [...events, delta(state.open?.index ?? 0, { type: 'text_delta', text })]
}

function reasoningEvents(event: Extract<HubEvent, { type: 'reasoning-delta' }>, state: EncodeState, env: ConversionEnv): SseEvent[] {
  if (event.redacted) {
    const events = openBlock(state, env, 'thinking', { type: 'redacted_thinking', data: event.signature ?? '' })
    return [...events, ...closeBlock(state)]
  }
  if (event.text === '' && !event.signature) return []
  const reuse = state.open?.kind === 'thinking' && !state.open.signed
  const events = reuse ? [] : openBlock(state, env, 'thinking', { type: 'thinking', thinking: '', signature: '' })
  const open = state.open as NonNullable<EncodeState['open']>
  if (event.text !== '') events.push(delta(open.index, { type: 'thinking_delta', thinking: event.text }))
  if (event.signature) {
    events.push(delta(open.index, { type: 'signature_delta', signature: event.signature }))
    open.signed = true
  }
  return events
}

/** Argument text of a call whose block is no longer the open one still goes to that block's index, which Anthropic's SDKs accumulate by. */
function toolDeltaEvents(event: Extract<HubEvent, { type: 'tool-call-delta' }>, state: EncodeState): SseEvent[] {
  const index = state.toolBlocks.get(event.toolIndex)
  if (index === undefined || event.argumentsDelta === '') return []
  return [delta(index, { type: 'input_json_delta', partial_json: event.argumentsDelta })]
}

/** The SSE events for one hub event of the first choice (usage and finish are held for the end). */
function encodeEvent(event: Exclude<HubEvent, { type: 'error' }>, state: EncodeState, env: ConversionEnv): SseEvent[] {
  if ('index' in event && event.index !== 0) return []
  switch (event.type) {
    case 'message-start':
      state.id ??= claudeMessageId(event.id, env)
      state.model = state.model || event.model
      return messageStart(state, env)
    case 'text-delta':
      return textEvents(event.text, state, env)
    case 'reasoning-delta':
      return reasoningEvents(event, state, env)
    case 'tool-call-start': {
      const events = openBlock(state, env, 'tool', { type: 'tool_use', id: event.id, name: event.name, input: {} })
      state.toolBlocks.set(event.toolIndex, state.nextIndex - 1)
      return events
    }
    case 'tool-call-delta':
      return toolDeltaEvents(event, state)
    case 'usage':
      state.usage = event.usage
      return []
    case 'finish':
      state.finish = { reason: event.reason, raw: event.rawReason }
      return []
  }
}

function errorEvents(status: number, code: string, message: string): SseEvent[] {
  // Hub error codes are the gateway's own (or the upstream's); the renderer only reads them as text.
  return renderClaudeStreamError(new GatewayError(status, code as GatewayErrorCode, message))
}

function endEvents(state: EncodeState, env: ConversionEnv, finish: NonNullable<EncodeState['finish']>): SseEvent[] {
  const usage = state.usage ? toClaudeUsage(state.usage) : { output_tokens: 0 }
  return [
    ...messageStart(state, env),
    ...closeBlock(state),
    sse('message_delta', { delta: { stop_reason: toClaudeStopReason(finish.reason, finish.raw), stop_sequence: null }, usage }),
    sse('message_stop'),
  ]
}

/** Hub events as Anthropic Messages stream events, each sent as soon as it is known. */
export async function* encodeClaudeStream(events: AsyncIterable<HubEvent>, env: ConversionEnv): AsyncGenerator<SseEvent> {
  const state: EncodeState = { started: false, model: '', nextIndex: 0, toolBlocks: new Map() }
  for await (const event of events) {
    if (event.type === 'error') {
      yield* errorEvents(event.status, event.code, event.message)
      return
    }
    yield* encodeEvent(eventForClient(event, 'anthropic'), state, env)
  }
  if (!state.finish) {
    // Never a message_stop for an answer that did not finish: the client must not take it as complete.
    yield* errorEvents(502, 'bad_upstream_response', 'Upstream stream ended before the answer was complete')
    return
  }
  yield* endEvents(state, env, state.finish)
}
