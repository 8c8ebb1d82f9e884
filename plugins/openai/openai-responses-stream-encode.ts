import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { FinishReason, HubEvent, Usage } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { toOpenAIResponsesStatus } from './map-openai-responses-status.ts'
import { buildOpenAIResponse, functionCallItem, messageItem, outputTextPart, reasoningItem } from './openai-responses-object.ts'
import { createdSeconds, responseId } from './response-identity.ts'

// see https://platform.openai.com/docs/api-reference/responses-streaming
// The event sequence OpenAI sends: response.created, response.in_progress, then per output item
// output_item.added → (content_part.added → output_text.delta… → output_text.done → content_part.done
// | reasoning_summary_part.added → reasoning_summary_text.delta… → …done → reasoning_summary_part.done
// | function_call_arguments.delta… → function_call_arguments.done) → output_item.done, and finally
// response.completed (or .incomplete / .failed) with the whole response and usage. Every event has
// `type` and an increasing `sequence_number`; the SSE event name repeats the type. Only choice 0 is
// sent: the Responses API has one answer.

type Json = Record<string, unknown>

/** An output item still receiving deltas. */
interface OpenItem {
  kind: 'message' | 'reasoning' | 'function_call'
  outputIndex: number
  id: string
  text: string
  callId?: string
  name?: string
}

interface EncodeState {
  identity?: { id: string; createdAt: number; model: string }
  sequence: number
  /** Finished output items, by output index. */
  output: Json[]
  open: OpenItem[]
  /** Function call items by hub tool index. */
  tools: Map<number, OpenItem>
  /** Output indexes handed out so far. */
  items: number
  finish?: FinishReason
  usage?: Usage
}

function emit(state: EncodeState, type: string, fields: Json): SseEvent {
  return { event: type, data: JSON.stringify({ type, sequence_number: state.sequence++, ...fields }) }
}

function inProgress(state: EncodeState): Json {
  const { id, createdAt, model } = state.identity as NonNullable<EncodeState['identity']>
  return buildOpenAIResponse({ id, createdAt, model, status: 'in_progress', output: [] })
}

/** response.created and response.in_progress, once, with the identity from message-start or the env. */
function begin(state: EncodeState, env: ConversionEnv, start?: Extract<HubEvent, { type: 'message-start' }>): SseEvent[] {
  if (state.identity) return []
  state.identity = { id: responseId(start?.id, 'resp_', env), createdAt: createdSeconds(start?.created, env), model: start?.model ?? '' }
  return [emit(state, 'response.created', { response: inProgress(state) }), emit(state, 'response.in_progress', { response: inProgress(state) })]
}

function closeItem(state: EncodeState, item: OpenItem): SseEvent[] {
  const at = { item_id: item.id, output_index: item.outputIndex }
  let final: Json
  const events: SseEvent[] = []
  if (item.kind === 'message') {
    events.push(emit(state, 'response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] }))
    events.push(emit(state, 'response.content_part.done', { ...at, content_index: 0, part: outputTextPart(item.text) }))
    final = messageItem(item.id, state.finish === 'length' || state.finish === 'content-filter' ? 'incomplete' : 'completed', item.text)
  } else if (item.kind === 'reasoning') {
    events.push(emit(state, 'response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text }))
    events.push(emit(state, 'response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { type: 'summary_text', text: item.text } }))
    final = reasoningItem(item.id, item.text)
  } else {
    events.push(emit(state, 'response.function_call_arguments.done', { ...at, arguments: item.text }))
    final = functionCallItem(item.id, 'completed', item.callId ?? '', item.name ?? '', item.text)
  }
  state.output[item.outputIndex] = final
  events.push(emit(state, 'response.output_item.done', { output_index: item.outputIndex, item: final }))
  return events
}

/** Closes open items: all of them, or only text and reasoning ones when a function call starts. */
function closeOpen(state: EncodeState, keepFunctionCalls: boolean): SseEvent[] {
  const closing = state.open.filter((item) => !keepFunctionCalls || item.kind !== 'function_call')
  state.open = state.open.filter((item) => !closing.includes(item))
  return closing.flatMap((item) => closeItem(state, item))
}

function openItem(state: EncodeState, env: ConversionEnv, kind: OpenItem['kind'], call?: { id: string; name: string }): { item: OpenItem; events: SseEvent[] } {
  const events = closeOpen(state, kind === 'function_call')
  const prefix = kind === 'message' ? 'msg_' : kind === 'reasoning' ? 'rs_' : 'fc_'
  const item: OpenItem = { kind, outputIndex: state.items++, id: env.newId(prefix), text: '', ...(call ? { callId: call.id, name: call.name } : {}) }
  state.open.push(item)
  const at = { item_id: item.id, output_index: item.outputIndex }
  if (kind === 'message') {
    events.push(emit(state, 'response.output_item.added', { output_index: item.outputIndex, item: messageItem(item.id, 'in_progress', undefined) }))
    events.push(emit(state, 'response.content_part.added', { ...at, content_index: 0, part: outputTextPart('') }))
  } else if (kind === 'reasoning') {
    events.push(emit(state, 'response.output_item.added', { output_index: item.outputIndex, item: reasoningItem(item.id, '') }))
    events.push(emit(state, 'response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } }))
  } else {
    events.push(
      emit(state, 'response.output_item.added', {
        output_index: item.outputIndex,
        item: functionCallItem(item.id, 'in_progress', item.callId ?? '', item.name ?? '', ''),
      }),
    )
  }
  return { item, events }
}

/** A delta for the last open item of `kind`, opening one first when needed. */
function textDelta(state: EncodeState, env: ConversionEnv, kind: 'message' | 'reasoning', delta: string): SseEvent[] {
  const last = state.open.at(-1)
  const opened = last?.kind === kind ? { item: last, events: [] } : openItem(state, env, kind)
  const { item } = opened
  item.text += delta
  const at = { item_id: item.id, output_index: item.outputIndex }
  const event =
    kind === 'message'
      ? emit(state, 'response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] })
      : emit(state, 'response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta })
  return [...opened.events, event]
}

function encodeEvent(event: Exclude<HubEvent, { type: 'error' | 'message-start' }>, state: EncodeState, env: ConversionEnv): SseEvent[] {
  if ('index' in event && event.index !== 0) return []
  switch (event.type) {
    case 'text-delta':
      return textDelta(state, env, 'message', event.text)
    case 'reasoning-delta':
      return textDelta(state, env, 'reasoning', event.text)
    case 'tool-call-start': {
      const { item, events } = openItem(state, env, 'function_call', { id: event.id, name: event.name })
      state.tools.set(event.toolIndex, item)
      return events
    }
    case 'tool-call-delta': {
      const item = state.tools.get(event.toolIndex)
      if (!item) return []
      item.text += event.argumentsDelta
      return [emit(state, 'response.function_call_arguments.delta', { item_id: item.id, output_index: item.outputIndex, delta: event.argumentsDelta })]
    }
    case 'finish':
      state.finish = event.reason
      return closeOpen(state, false)
    case 'usage':
      state.usage = event.usage
      return []
  }
}

function errorEvent(state: EncodeState, code: string, message: string): SseEvent {
  return emit(state, 'error', { code, message, param: null })
}

/** The terminal event: the whole response with its status and usage. */
function complete(state: EncodeState, reason: FinishReason): SseEvent[] {
  const events = closeOpen(state, false)
  const { status, incomplete_details } = toOpenAIResponsesStatus(reason)
  const { id, createdAt, model } = state.identity as NonNullable<EncodeState['identity']>
  const error = status === 'failed' ? { code: 'server_error', message: 'The upstream model stopped with an error' } : null
  const response = buildOpenAIResponse({ id, createdAt, model, status, incompleteDetails: incomplete_details, error, output: state.output, usage: state.usage })
  return [...events, emit(state, `response.${status}`, { response })]
}

/** Hub events as OpenAI Responses stream events, each sent as soon as it is known. */
export async function* encodeOpenAIResponsesStream(events: AsyncIterable<HubEvent>, env: ConversionEnv): AsyncGenerator<SseEvent> {
  const state: EncodeState = { sequence: 0, output: [], open: [], tools: new Map(), items: 0 }
  for await (const event of events) {
    if (event.type === 'error') {
      yield errorEvent(state, event.code, event.message)
      return
    }
    if (event.type === 'message-start') {
      yield* begin(state, env, event)
      continue
    }
    yield* begin(state, env)
    yield* encodeEvent(event, state, env)
  }
  yield* begin(state, env)
  if (state.finish === undefined) {
    // Never a completed response for an answer that did not finish: the client must not take it as whole.
    yield errorEvent(state, 'bad_upstream_response', 'Upstream stream ended before the answer was complete')
    return
  }
  yield* complete(state, state.finish)
}
