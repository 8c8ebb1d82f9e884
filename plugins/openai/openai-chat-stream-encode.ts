import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent, Usage } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError, type GatewayErrorCode } from '@hanggent/plugin-sdk'
import { toOpenAIChatUsage } from './encode-openai-chat-usage.ts'
import { toOpenAIFinishReason } from './map-openai-finish-reason.ts'
import { renderOpenAIStreamError } from './openai-errors.ts'
import { createdSeconds, responseId } from './response-identity.ts'

// see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
// Chunks as OpenAI sends them: a first `{role:'assistant', content:''}` delta per choice, content
// deltas, tool-call fragments (id and name first, then argument text), a finish chunk with an empty
// delta, then — in its own SSE event, so the core can drop it for clients that did not ask for
// usage — a `choices: []` chunk with usage, and `data: [DONE]`. An error ends the stream with
// `data: {"error":…}` and no `[DONE]`, as OpenAI does.

/** What the encoder remembers between events. */
interface EncodeState {
  identity?: { id: string; created: number; model: string }
  /** Choices whose first (role) chunk was sent. */
  opened: Set<number>
  usage?: Usage
  finished: boolean
}

function identity(state: EncodeState, env: ConversionEnv) {
  state.identity ??= { id: env.newId('chatcmpl-'), created: createdSeconds(undefined, env), model: '' }
  return state.identity
}

function chunk(state: EncodeState, env: ConversionEnv, choices: unknown[], usage?: unknown): SseEvent {
  const { id, created, model } = identity(state, env)
  const body: Record<string, unknown> = { id, object: 'chat.completion.chunk', created, model, choices }
  if (usage !== undefined) body.usage = usage
  return { data: JSON.stringify(body) }
}

function choiceChunk(state: EncodeState, env: ConversionEnv, index: number, delta: Record<string, unknown>, finishReason: string | null = null): SseEvent[] {
  const events: SseEvent[] = []
  if (!state.opened.has(index)) {
    state.opened.add(index)
    events.push(chunk(state, env, [{ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]))
  }
  events.push(chunk(state, env, [{ index, delta, logprobs: null, finish_reason: finishReason }]))
  return events
}

/** The SSE events for one hub event (none for usage, which is sent at the end). */
function encodeEvent(event: Exclude<HubEvent, { type: 'error' }>, state: EncodeState, env: ConversionEnv): SseEvent[] {
  switch (event.type) {
    case 'message-start':
      state.identity ??= { id: responseId(event.id, 'chatcmpl-', env), created: createdSeconds(event.created, env), model: event.model }
      if (state.opened.size > 0) return []
      state.opened.add(0)
      return [chunk(state, env, [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])]
    case 'text-delta':
      return choiceChunk(state, env, event.index, { content: event.text })
    case 'reasoning-delta':
      return choiceChunk(state, env, event.index, { reasoning_content: event.text })
    case 'tool-call-start':
      return choiceChunk(state, env, event.index, {
        tool_calls: [{ index: event.toolIndex, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }],
      })
    case 'tool-call-delta':
      return choiceChunk(state, env, event.index, { tool_calls: [{ index: event.toolIndex, function: { arguments: event.argumentsDelta } }] })
    case 'finish':
      state.finished = true
      return choiceChunk(state, env, event.index, {}, toOpenAIFinishReason(event.reason))
    case 'usage':
      state.usage = event.usage
      return []
  }
}

function errorEvents(status: number, code: string, message: string): SseEvent[] {
  // Hub error codes are the gateway's own (or the upstream's); the renderer only reads them as text.
  return renderOpenAIStreamError(new GatewayError(status, code as GatewayErrorCode, message))
}

/** Hub events as OpenAI Chat stream events, each sent as soon as it is known. */
export async function* encodeOpenAIChatStream(events: AsyncIterable<HubEvent>, env: ConversionEnv): AsyncGenerator<SseEvent> {
  const state: EncodeState = { opened: new Set(), finished: false }
  for await (const event of events) {
    if (event.type === 'error') {
      yield* errorEvents(event.status, event.code, event.message)
      return
    }
    yield* encodeEvent(event, state, env)
  }
  if (!state.finished) {
    // Never a `[DONE]` for an answer that did not finish: the client must not take it as complete.
    yield* errorEvents(502, 'bad_upstream_response', 'Upstream stream ended before the answer was complete')
    return
  }
  if (state.usage) yield chunk(state, env, [], toOpenAIChatUsage(state.usage))
  yield { data: '[DONE]' }
}
