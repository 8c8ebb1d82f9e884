import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { FinishReason, HubEvent, Usage } from '@hanggent/plugin-sdk'
import type { HubStreamDecoder, SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError, type GatewayErrorCode } from '@hanggent/plugin-sdk'
import { convertOpenAIUsage } from './convert-openai-usage.ts'
import { toOpenAICompletionsUsage } from './convert-openai-completions.ts'
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts'
import { renderOpenAIStreamError } from './openai-errors.ts'
import { canDeferOpenAIChunk } from './openai-chat-stream-decode.ts'
import { decodeStreamWith, jsonPushDecoder, parseCheckedChunk } from '@hanggent/plugin-sdk'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { OpenAICompletionChunk } from '../../schemas/openai-stream-chunks.ts'
import { createdSeconds, responseId } from './response-identity.ts'

// see https://platform.openai.com/docs/api-reference/completions/create (stream, stream_options)
// Legacy completion streams are `text_completion` chunks: `choices: [{text, index, logprobs, finish_reason}]`,
// a last chunk per choice with empty text and the finish reason, with include_usage a `choices: []`
// chunk carrying usage (in its own event, so the core can hide it from clients that did not ask), then
// `data: [DONE]`. Reasoning has no place in a completion and is not sent; tool calls cannot occur.

/** What the encoder remembers between events. */
interface EncodeState {
  identity?: { id: string; created: number; model: string }
  usage?: Usage
  finished: boolean
}

function chunk(state: EncodeState, env: ConversionEnv, choices: unknown[], usage?: unknown): SseEvent {
  state.identity ??= { id: env.newId('cmpl-'), created: createdSeconds(undefined, env), model: '' }
  const { id, created, model } = state.identity
  const body: Record<string, unknown> = { id, object: 'text_completion', created, model, choices }
  if (usage !== undefined) body.usage = usage
  return { data: JSON.stringify(body) }
}

/** The legacy finish reason of a hub one: completions know only `stop`, `length` and `content_filter`. */
function finishReason(reason: FinishReason): string {
  return reason === 'length' ? 'length' : reason === 'content-filter' ? 'content_filter' : 'stop'
}

/** The SSE events for one hub event (none for usage, which is sent at the end). */
function encodeEvent(event: Exclude<HubEvent, { type: 'error' }>, state: EncodeState, env: ConversionEnv): SseEvent[] {
  switch (event.type) {
    case 'message-start':
      state.identity ??= { id: responseId(event.id, 'cmpl-', env), created: createdSeconds(event.created, env), model: event.model }
      return []
    case 'text-delta':
      return [chunk(state, env, [{ text: event.text, index: event.index, logprobs: null, finish_reason: null }])]
    case 'finish':
      state.finished = true
      return [chunk(state, env, [{ text: '', index: event.index, logprobs: null, finish_reason: finishReason(event.reason) }])]
    case 'usage':
      state.usage = event.usage
      return []
    default:
      return []
  }
}

/** Hub events as legacy completion stream events, each sent as soon as it is known. */
export async function* encodeOpenAICompletionsStream(events: AsyncIterable<HubEvent>, env: ConversionEnv): AsyncGenerator<SseEvent> {
  const state: EncodeState = { finished: false }
  for await (const event of events) {
    if (event.type === 'error') {
      yield* renderOpenAIStreamError(new GatewayError(event.status, event.code as GatewayErrorCode, event.message))
      return
    }
    yield* encodeEvent(event, state, env)
  }
  if (!state.finished) {
    // Never a `[DONE]` for an answer that did not finish: the client must not take it as complete.
    yield* renderOpenAIStreamError(new GatewayError(502, 'bad_upstream_response', 'Upstream stream ended before the answer was complete'))
    return
  }
  if (state.usage) yield chunk(state, env, [], toOpenAICompletionsUsage(state.usage))
  yield { data: '[DONE]' }
}

/** The chunk schema, compiled once. */
const checkChunk = TypeCompiler.Compile(OpenAICompletionChunk)

/** A push decoder of one legacy completion stream; done at `[DONE]` or the first error. */
export function createOpenAICompletionsStreamDecoder(env: ConversionEnv): HubStreamDecoder {
  let started = false
  return jsonPushDecoder<OpenAICompletionChunk>({
    endMarker: '[DONE]',
    parse: (event) => parseCheckedChunk(event.data, checkChunk, 'OpenAI completions'),
    isEnd: (parsed) => Boolean(parsed.error),
    step(parsed) {
      if (parsed.error) {
        const message = typeof parsed.error.message === 'string' ? parsed.error.message : 'Upstream sent a malformed stream chunk'
        return [{ type: 'error', status: 502, code: 'upstream_error', message }]
      }
      const events: HubEvent[] = []
      if (!started) {
        started = true
        events.push({
          type: 'message-start',
          id: parsed.id ?? env.newId('cmpl-'),
          model: parsed.model ?? '',
          created: createdSeconds(parsed.created ?? undefined, env),
        })
      }
      for (const choice of parsed.choices ?? []) {
        const index = choice.index ?? 0
        if (choice.text) events.push({ type: 'text-delta', index, text: choice.text })
        if (typeof choice.finish_reason === 'string')
          events.push({ type: 'finish', index, reason: mapOpenAIFinishReason(choice.finish_reason), rawReason: choice.finish_reason })
      }
      if (parsed.usage) events.push({ type: 'usage', usage: convertOpenAIUsage(parsed.usage) })
      return events
    },
    canDefer: canDeferOpenAIChunk,
  })
}

/** Legacy completion stream events as hub events; ends at `[DONE]` or the first error. */
export const decodeOpenAICompletionsStream = decodeStreamWith(createOpenAICompletionsStreamDecoder)
