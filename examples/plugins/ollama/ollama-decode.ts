import {
  isRecord,
  nowSeconds,
  parseJsonObject,
  tokenCount,
  type ConversionEnv,
  type FinishReason,
  type HubEvent,
  type HubPart,
  type HubResult,
  type SseEvent,
  type Usage,
} from '@hanggent/plugin-sdk'
import type { OllamaChatResponse, OllamaToolCall } from './ollama-api.ts'

// Ollama's answers in hub terms: the message's thinking as reasoning, its tool calls (arguments are
// objects) as JSON-string arguments with ids the gateway makes up (Ollama has none), usage from the
// final message's counters, and the newline-delimited JSON stream framed line by line.

/** Ollama's `done_reason` in hub terms; a `stop` that ends in tool calls is the hub's `tool-calls`. */
export function mapOllamaDoneReason(reason: string | undefined, calledTools: boolean): FinishReason {
  if (reason === 'length') return 'length'
  if (calledTools) return 'tool-calls'
  if (reason === 'stop' || reason === undefined) return 'stop'
  return 'other'
}

/**
 * Usage from the counters of the final message: `prompt_eval_count` input tokens (the prompt tokens Ollama
 * evaluated) and `eval_count` output tokens. Ollama reports no cache or reasoning split; a message with
 * neither counter means "no usage", so the gateway counts the tokens itself.
 */
export function convertOllamaUsage(response: OllamaChatResponse): Usage | undefined {
  if (response.prompt_eval_count === undefined && response.eval_count === undefined) return undefined
  return {
    inputTokens: tokenCount(response.prompt_eval_count),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(response.eval_count),
    reasoningTokens: 0,
    raw: { prompt_eval_count: response.prompt_eval_count, eval_count: response.eval_count },
  }
}

/** A tool call's object arguments as the hub's JSON string. */
function argumentsText(call: OllamaToolCall): string {
  const args = call.function?.arguments
  return JSON.stringify(args !== null && typeof args === 'object' ? args : {})
}

/** The `created_at` timestamp in seconds, else the clock's now. */
function createdOf(response: OllamaChatResponse, env: ConversionEnv): number {
  const parsed = response.created_at ? Date.parse(response.created_at) : Number.NaN
  return Number.isFinite(parsed) ? Math.floor(parsed / 1000) : nowSeconds(env)
}

/** A complete Ollama answer (`stream: false`) as a hub result. */
export function decodeOllamaResult(body: unknown, env: ConversionEnv): HubResult {
  const response = (isRecord(body) ? body : {}) as OllamaChatResponse
  const message = response.message ?? {}
  const content: HubPart[] = []
  if (typeof message.thinking === 'string' && message.thinking !== '') content.push({ type: 'reasoning', text: message.thinking })
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content })
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : []
  for (const call of calls) content.push({ type: 'tool-call', id: env.newId('call_'), name: call.function?.name ?? '', arguments: argumentsText(call) })
  const usage = convertOllamaUsage(response)
  return {
    id: env.newId('chatcmpl-'),
    model: response.model ?? '',
    created: createdOf(response, env),
    choices: [
      {
        index: 0,
        content,
        finishReason: mapOllamaDoneReason(response.done_reason, calls.length > 0),
        ...(response.done_reason ? { rawFinishReason: response.done_reason } : {}),
      },
    ],
    ...(usage ? { usage } : {}),
  }
}

/**
 * Ollama's stream is newline-delimited JSON, not SSE: each line one message. Bytes are split into lines
 * as they arrive (a line or a UTF-8 character may span chunks); blank lines are skipped, and a last
 * line without its newline still counts.
 */
export async function* frameOllamaStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder()
  let pending = ''
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true })
    let newline = pending.indexOf('\n')
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim()
      pending = pending.slice(newline + 1)
      if (line !== '') yield { data: line }
      newline = pending.indexOf('\n')
    }
  }
  const last = (pending + decoder.decode()).trim()
  if (last !== '') yield { data: last }
}

/** Ollama's stream lines as hub events; the line with `done: true` carries the counters and ends the answer. */
export async function* decodeOllamaStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncGenerator<HubEvent> {
  let opened = false
  let toolIndex = 0
  for await (const event of events) {
    const line = parseJsonObject<OllamaChatResponse>(event.data)
    if (!line) {
      yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Ollama sent a stream line that is not JSON' }
      return
    }
    if (typeof line.error === 'string') {
      yield { type: 'error', status: 502, code: 'upstream_error', message: line.error }
      return
    }
    if (!opened) {
      opened = true
      yield { type: 'message-start', id: env.newId('chatcmpl-'), model: line.model ?? '', created: createdOf(line, env) }
    }
    const message = line.message ?? {}
    if (typeof message.thinking === 'string' && message.thinking !== '') yield { type: 'reasoning-delta', index: 0, text: message.thinking }
    if (typeof message.content === 'string' && message.content !== '') yield { type: 'text-delta', index: 0, text: message.content }
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      yield { type: 'tool-call-start', index: 0, toolIndex, id: env.newId('call_'), name: call.function?.name ?? '' }
      yield { type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: argumentsText(call) }
      toolIndex += 1
    }
    if (line.done === true) {
      const usage = convertOllamaUsage(line)
      if (usage) yield { type: 'usage', usage }
      yield {
        type: 'finish',
        index: 0,
        reason: mapOllamaDoneReason(line.done_reason, toolIndex > 0),
        ...(line.done_reason ? { rawReason: line.done_reason } : {}),
      }
      return
    }
  }
}

/** Ollama's error body is `{"error": "…"}`; anything else is described by its status. */
export function readOllamaError(status: number, bodyText: string): { message: string } {
  const error = parseJsonObject(bodyText)?.error
  return { message: typeof error === 'string' ? error : `Ollama answered HTTP ${status}` }
}
