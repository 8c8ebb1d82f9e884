import {
  isRecord,
  nowSeconds,
  parseJsonObject,
  type ConversionEnv,
  type FinishReason,
  type HubEvent,
  type HubPart,
  type HubResult,
  type SseEvent,
} from '@hanggent/plugin-sdk'
import type { QuillonChatChunk, QuillonChatResponse } from './quillon-api.ts'
import { convertQuillonUsage } from './quillon-usage.ts'

// Quillon's answers in hub terms: OpenAI's chat shape, with usage read from `x_usage`.

/** Quillon's finish reasons (OpenAI's words) in hub terms. */
export function mapQuillonFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop'
    case 'length':
      return 'length'
    case 'tool_calls':
      return 'tool-calls'
    case 'content_filter':
      return 'content-filter'
    default:
      return 'other'
  }
}

/** A complete Quillon answer as a hub result. */
export function decodeQuillonResult(body: unknown, env: ConversionEnv): HubResult {
  const response = (isRecord(body) ? body : {}) as QuillonChatResponse
  const choices = (response.choices ?? []).map((choice, position) => {
    const content: HubPart[] = []
    if (typeof choice.message?.content === 'string' && choice.message.content !== '') content.push({ type: 'text', text: choice.message.content })
    for (const call of choice.message?.tool_calls ?? []) {
      content.push({ type: 'tool-call', id: call.id || env.newId('call_'), name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' })
    }
    const raw = choice.finish_reason ?? undefined
    return { index: choice.index ?? position, content, finishReason: mapQuillonFinishReason(raw), ...(raw ? { rawFinishReason: raw } : {}) }
  })
  const usage = convertQuillonUsage(response.x_usage)
  return {
    id: response.id || env.newId('chatcmpl-'),
    model: response.model ?? '',
    created: response.created ?? nowSeconds(env),
    choices,
    ...(usage ? { usage } : {}),
  }
}

/** The hub events of one parsed chunk; `started` tracks the tool calls already opened, by Quillon's index. */
function* chunkEvents(chunk: QuillonChatChunk, started: Set<number>, env: ConversionEnv): Generator<HubEvent> {
  for (const choice of chunk.choices ?? []) {
    const index = choice.index ?? 0
    const delta = choice.delta
    if (typeof delta?.content === 'string' && delta.content !== '') yield { type: 'text-delta', index, text: delta.content }
    for (const call of delta?.tool_calls ?? []) {
      const toolIndex = call.index ?? 0
      if (!started.has(toolIndex)) {
        started.add(toolIndex)
        yield { type: 'tool-call-start', index, toolIndex, id: call.id || env.newId('call_'), name: call.function?.name ?? '' }
      }
      if (call.function?.arguments) yield { type: 'tool-call-delta', index, toolIndex, argumentsDelta: call.function.arguments }
    }
  }
  // Quillon puts `x_usage` on the chunk that finishes: usage first, so the finish closes the answer.
  const usage = convertQuillonUsage(chunk.x_usage)
  if (usage) yield { type: 'usage', usage }
  for (const choice of chunk.choices ?? []) {
    if (choice.finish_reason)
      yield { type: 'finish', index: choice.index ?? 0, reason: mapQuillonFinishReason(choice.finish_reason), rawReason: choice.finish_reason }
  }
}

/** Quillon's SSE chunks as hub events; `[DONE]` ends the stream and a chunk that is not JSON becomes an `error` event. */
export async function* decodeQuillonStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncGenerator<HubEvent> {
  let opened = false
  const started = new Set<number>()
  for await (const event of events) {
    if (event.data === '[DONE]') return
    const chunk = parseJsonObject<QuillonChatChunk>(event.data)
    if (!chunk) {
      yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Quillon sent a stream chunk that is not JSON' }
      return
    }
    if (!opened) {
      opened = true
      yield { type: 'message-start', id: chunk.id || env.newId('chatcmpl-'), model: chunk.model ?? '', created: chunk.created ?? nowSeconds(env) }
    }
    yield* chunkEvents(chunk, started, env)
  }
}

/** Quillon's error body is `{"detail": "…"}` (not OpenAI's `error` object); anything else is described by its status. */
export function readQuillonError(status: number, bodyText: string): { message: string } {
  const detail = parseJsonObject(bodyText)?.detail
  return { message: typeof detail === 'string' ? detail : `Quillon answered HTTP ${status}` }
}
