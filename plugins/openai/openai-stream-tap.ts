import type { StreamTap, StreamTapResult } from '../../core/plugin/define-plugin.ts'
import type { Usage } from '../../core/hub/types.ts'
import { readOpenAIUsageField } from './convert-openai-usage.ts'

// see https://platform.openai.com/docs/api-reference/chat/streaming

interface ChunkChoice {
  text?: unknown
  delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown; tool_calls?: Array<{ id?: unknown; function?: { name?: unknown; arguments?: unknown } }> }
}

interface Chunk {
  choices?: ChunkChoice[]
  error?: { message?: unknown; code?: unknown }
}

function parseChunk(data: string): Chunk | undefined {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Chunk) : undefined
  } catch {
    return undefined
  }
}

/** Watches an OpenAI chat or completions stream for usage, output text, tool calls and errors. */
export function createOpenAIStreamTap(): StreamTap {
  const text: string[] = []
  let usage: Usage | undefined
  let toolCalls = 0
  let completed = false
  let error: StreamTapResult['error']

  function observeChoice(choice: ChunkChoice) {
    if (typeof choice.text === 'string') text.push(choice.text)
    const delta = choice.delta
    if (!delta) return
    for (const field of [delta.content, delta.reasoning_content, delta.reasoning]) if (typeof field === 'string') text.push(field)
    for (const call of delta.tool_calls ?? []) {
      if (typeof call.id === 'string' && call.id !== '') toolCalls += 1
      if (typeof call.function?.name === 'string') text.push(call.function.name)
      if (typeof call.function?.arguments === 'string') text.push(call.function.arguments)
    }
  }

  return {
    onEvent(event) {
      if (event.data === '[DONE]') {
        completed = true
        return true
      }
      const chunk = parseChunk(event.data)
      if (!chunk) {
        error = { message: 'upstream sent a malformed stream chunk', code: 'bad_upstream_response' }
        return false
      }
      if (chunk.error) {
        error = { message: typeof chunk.error.message === 'string' ? chunk.error.message : 'upstream stream error', code: typeof chunk.error.code === 'string' ? chunk.error.code : undefined }
      }
      usage = readOpenAIUsageField(chunk) ?? usage
      for (const choice of chunk.choices ?? []) observeChoice(choice)
      return true
    },
    result: () => ({ usage, outputText: text.join(''), toolCalls, completed, error }),
  }
}
