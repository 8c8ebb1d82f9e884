import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent } from '@hanggent/plugin-sdk'
import type { HubStreamDecoder, SseEvent } from '@hanggent/plugin-sdk'
import type { OpenAIChatChunk, OpenAIChatChunkDelta, OpenAIChatChunkToolCall } from './openai-chat-api.ts'
import { convertOpenAIUsage } from './convert-openai-usage.ts'
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts'
import { createdSeconds } from './response-identity.ts'
import { decodeStreamWith, jsonPushDecoder, parseCheckedChunk } from '@hanggent/plugin-sdk'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { OpenAIChatChunk as OpenAIChatChunkSchema } from '../../schemas/openai-stream-chunks.ts'

// see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
// A tool call starts with a fragment carrying its `id` and name; later fragments carry only
// `index` and argument text. Some compatible vendors omit the id (one is made up) or reuse index 0
// for every call with a new id (each id then gets its own hub tool index).

/** What the decoder remembers between chunks. */
interface DecodeState {
  started: boolean
  /** Per choice: hub tool index by the vendor's tool index, and the id each hub index started with. */
  tools: Map<number, { byWireIndex: Map<number, number>; ids: string[] }>
}

function choiceTools(state: DecodeState, choice: number) {
  let tools = state.tools.get(choice)
  if (!tools) state.tools.set(choice, (tools = { byWireIndex: new Map(), ids: [] }))
  return tools
}

function toolCallEvents(choice: number, calls: OpenAIChatChunkToolCall[], state: DecodeState, env: ConversionEnv): HubEvent[] {
  const tools = choiceTools(state, choice)
  const events: HubEvent[] = []
  calls.forEach((call, position) => {
    const wireIndex = call.index ?? position
    let toolIndex = tools.byWireIndex.get(wireIndex)
    const restarted = toolIndex !== undefined && Boolean(call.id) && call.id !== tools.ids[toolIndex]
    if (toolIndex === undefined || restarted) {
      toolIndex = tools.ids.length
      tools.byWireIndex.set(wireIndex, toolIndex)
      const id = call.id || env.newId('call_')
      tools.ids.push(id)
      events.push({ type: 'tool-call-start', index: choice, toolIndex, id, name: call.function?.name ?? '' })
    }
    const argumentsDelta = call.function?.arguments
    if (argumentsDelta) events.push({ type: 'tool-call-delta', index: choice, toolIndex, argumentsDelta })
  })
  return events
}

function deltaEvents(choice: number, delta: OpenAIChatChunkDelta, state: DecodeState, env: ConversionEnv): HubEvent[] {
  const events: HubEvent[] = []
  const reasoning = delta.reasoning_content ?? delta.reasoning
  if (typeof reasoning === 'string' && reasoning !== '') events.push({ type: 'reasoning-delta', index: choice, text: reasoning })
  if (typeof delta.content === 'string' && delta.content !== '') events.push({ type: 'text-delta', index: choice, text: delta.content })
  if (typeof delta.refusal === 'string' && delta.refusal !== '') events.push({ type: 'text-delta', index: choice, text: delta.refusal })
  if (delta.tool_calls) events.push(...toolCallEvents(choice, delta.tool_calls, state, env))
  // The deprecated single `function_call` streams like a tool call at index 0 without an id.
  if (delta.function_call) events.push(...toolCallEvents(choice, [{ index: 0, function: delta.function_call }], state, env))
  return events
}

/** The hub events of one parsed chunk. */
function chunkEvents(chunk: OpenAIChatChunk, state: DecodeState, env: ConversionEnv): HubEvent[] {
  const events: HubEvent[] = []
  if (!state.started) {
    state.started = true
    events.push({
      type: 'message-start',
      id: chunk.id ?? env.newId('chatcmpl-'),
      model: chunk.model || env.model || '',
      created: createdSeconds(chunk.created ?? undefined, env),
    })
  }
  for (const choice of chunk.choices ?? []) {
    const index = choice.index ?? 0
    if (choice.delta) events.push(...deltaEvents(index, choice.delta, state, env))
    if (choice.finish_reason) events.push({ type: 'finish', index, reason: mapOpenAIFinishReason(choice.finish_reason), rawReason: choice.finish_reason })
  }
  if (chunk.usage) events.push({ type: 'usage', usage: convertOpenAIUsage(chunk.usage) })
  return events
}

function streamError(error: NonNullable<OpenAIChatChunk['error']>): HubEvent {
  const message = typeof error.message === 'string' ? error.message : 'Upstream reported an error inside the stream'
  return { type: 'error', status: 502, code: typeof error.code === 'string' ? error.code : 'upstream_error', message }
}

/** A cheap structural check: the data is one JSON object (its braces), so a deferred chunk is not malformed at a glance. */
function looksLikeObject(data: string): boolean {
  let first = 0
  while (first < data.length && data.charCodeAt(first) <= 32) first++
  let last = data.length - 1
  while (last > first && data.charCodeAt(last) <= 32) last--
  return data.charCodeAt(first) === 123 && data.charCodeAt(last) === 125
}

/**
 * An OpenAI chat or completions chunk that carries neither usage nor an error: chunks say `"usage":null`
 * until the usage chunk (include_usage) spells it out; the end is `[DONE]`, which is never deferred. It runs
 * on every passthrough event, so it scans the text twice at most (the usage member, then an error).
 */
export function canDeferOpenAIChunk(event: SseEvent): boolean {
  const data = event.data
  if (data === '[DONE]' || !looksLikeObject(data)) return false
  const usage = data.indexOf('"usage":')
  if (usage !== -1) {
    let at = usage + 8
    while (data.charCodeAt(at) === 32) at += 1
    if (data.charCodeAt(at) === 123) return false
  }
  return !data.includes('"error"')
}

/** The chunk schema, compiled once. */
const checkChunk = TypeCompiler.Compile(OpenAIChatChunkSchema)

/** A push decoder of one OpenAI Chat stream: chunk by chunk; done at `[DONE]` or the first error. */
export function createOpenAIChatStreamDecoder(env: ConversionEnv): HubStreamDecoder {
  const state: DecodeState = { started: false, tools: new Map() }
  return jsonPushDecoder<OpenAIChatChunk>({
    endMarker: '[DONE]',
    parse: (event) => parseCheckedChunk(event.data, checkChunk, 'OpenAI chat'),
    isEnd: (chunk) => Boolean(chunk.error),
    step: (chunk) => (chunk.error ? [streamError(chunk.error)] : chunkEvents(chunk, state, env)),
    canDefer: canDeferOpenAIChunk,
  })
}

/** OpenAI Chat stream events as hub events, emitted chunk by chunk; ends at `[DONE]` or the first error. */
export const decodeOpenAIChatStream = decodeStreamWith(createOpenAIChatStreamDecoder)
