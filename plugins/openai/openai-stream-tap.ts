import type { StreamTap, StreamTapResult } from '@hanggent/plugin-sdk'
import type { Usage } from '@hanggent/plugin-sdk'
import { readOpenAIUsageField } from './convert-openai-usage.ts'
import { parseJsonObject } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/chat/streaming

interface ChunkChoice {
  text?: unknown
  delta?: {
    content?: unknown
    reasoning_content?: unknown
    reasoning?: unknown
    tool_calls?: Array<{ id?: unknown; function?: { name?: unknown; arguments?: unknown } }>
  }
}

interface Chunk {
  choices?: ChunkChoice[]
  error?: { message?: unknown; code?: unknown }
}

/** A cheap structural check: a chunk is one JSON object. Full parsing waits until something must be read from it. */
function looksLikeObject(data: string): boolean {
  let first = 0
  while (first < data.length && data.charCodeAt(first) <= 32) first++
  let last = data.length - 1
  while (last > first && data.charCodeAt(last) <= 32) last--
  return data.charCodeAt(first) === 123 && data.charCodeAt(last) === 125
}

/**
 * Watches an OpenAI chat or completions stream for usage, output text, tool calls and errors. Chunks
 * are parsed only when they may carry usage or an error; the others are kept as text and read only if
 * the stream ends without usage (then output is counted from them), so a passthrough stream costs a
 * substring search per chunk rather than a JSON parse.
 */
export function createOpenAIStreamTap(): StreamTap {
  const unread: string[] = []
  let usage: Usage | undefined
  let completed = false
  let error: StreamTapResult['error']

  /** Output text and tool calls of the chunks not parsed yet. */
  function output(): { text: string; toolCalls: number } {
    const text: string[] = []
    let toolCalls = 0
    for (const data of unread) {
      for (const choice of parseJsonObject<Chunk>(data)?.choices ?? []) {
        if (typeof choice.text === 'string') text.push(choice.text)
        const delta = choice.delta
        if (!delta) continue
        for (const field of [delta.content, delta.reasoning_content, delta.reasoning]) if (typeof field === 'string') text.push(field)
        for (const call of delta.tool_calls ?? []) {
          if (typeof call.id === 'string' && call.id !== '') toolCalls += 1
          if (typeof call.function?.name === 'string') text.push(call.function.name)
          if (typeof call.function?.arguments === 'string') text.push(call.function.arguments)
        }
      }
    }
    return { text: text.join(''), toolCalls }
  }

  return {
    onEvent(event) {
      const data = event.data
      if (data === '[DONE]') {
        completed = true
        return true
      }
      if (!looksLikeObject(data)) {
        error = { message: 'upstream sent a malformed stream chunk', code: 'bad_upstream_response' }
        return false
      }
      unread.push(data)
      // Chunks say "usage":null until the usage chunk (include_usage), so only an object is worth a parse.
      if (!data.includes('"usage":{') && !data.includes('"usage": {') && !data.includes('"error"')) return true
      const chunk = parseJsonObject<Chunk>(data)
      if (!chunk) {
        error = { message: 'upstream sent a malformed stream chunk', code: 'bad_upstream_response' }
        return false
      }
      if (chunk.error) {
        error = {
          message: typeof chunk.error.message === 'string' ? chunk.error.message : 'upstream stream error',
          code: typeof chunk.error.code === 'string' ? chunk.error.code : undefined,
        }
      }
      usage = readOpenAIUsageField(chunk) ?? usage
      return true
    },
    result() {
      // With usage reported, output is never counted, so the chunks are never parsed.
      const seen = usage ? { text: '', toolCalls: 0 } : output()
      return { usage, outputText: seen.text, toolCalls: seen.toolCalls, completed, error }
    },
  }
}
