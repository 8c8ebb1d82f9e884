import type { StreamTap, StreamTapResult } from '@hanggent/plugin-sdk'
import type { Usage } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesStreamEvent } from '../../schemas/openai-responses.ts'
import { readOpenAIResponsesUsageField } from './convert-openai-responses-usage.ts'
import { parseJsonObject } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/responses-streaming
// Usage arrives only with the terminal event (response.completed / incomplete / failed), which
// carries the whole response; text, function-call arguments and reasoning summaries are counted as
// output when an upstream sends none.

const TEXT_EVENTS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
])
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed'])

/** Watches a Responses stream for usage, output text, function calls and errors. */
export function createOpenAIResponsesStreamTap(): StreamTap {
  const text: string[] = []
  let usage: Usage | undefined
  let toolCalls = 0
  let completed = false
  let error: StreamTapResult['error']

  function observe(type: string, event: OpenAIResponsesStreamEvent) {
    if (TEXT_EVENTS.has(type) && typeof event.delta === 'string') text.push(event.delta)
    else if (type === 'response.output_item.added' && event.item?.type === 'function_call') {
      toolCalls += 1
      if (typeof event.item.name === 'string') text.push(event.item.name)
    } else if (TERMINAL_EVENTS.has(type)) {
      completed = true
      usage = readOpenAIResponsesUsageField(event.response) ?? usage
      const failure = event.response?.error
      if (type === 'response.failed') error = { message: failure?.message ?? 'Upstream response failed', code: failure?.code ?? undefined }
    } else if (type === 'error') {
      const failure = event.error ?? event
      error = {
        message: typeof failure.message === 'string' ? failure.message : 'upstream stream error',
        code: typeof failure.code === 'string' ? failure.code : undefined,
      }
    }
  }

  return {
    onEvent(event) {
      const parsed = parseJsonObject<OpenAIResponsesStreamEvent>(event.data)
      if (!parsed) {
        error = { message: 'upstream sent a malformed stream event', code: 'bad_upstream_response' }
        return false
      }
      observe(parsed.type ?? event.event ?? '', parsed)
      return true
    },
    result: () => ({ usage, outputText: text.join(''), toolCalls, completed, error }),
  }
}
