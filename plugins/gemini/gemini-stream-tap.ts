import type { StreamTap, StreamTapResult } from '@hanggent/plugin-sdk'
import type { Usage } from '@hanggent/plugin-sdk'
import type { GeminiGenerateContentResponse, GeminiPart } from '../../schemas/gemini-generate.ts'
import { readGeminiUsageField } from './convert-gemini-usage.ts'
import { isRecord, parseJsonObject } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
// Each SSE event is a whole GenerateContentResponse chunk. Usage is cumulative, so the last one wins.
// Gemini sends no end marker: the answer is complete once a candidate carries a finishReason (or the
// prompt was blocked, which ends the answer at once).

/** The countable text of a part: answer and thought text, function names and arguments. */
function partText(part: GeminiPart): string[] {
  if (typeof part.text === 'string') return [part.text]
  if (part.functionCall) return [part.functionCall.name, JSON.stringify(part.functionCall.args ?? {})]
  if (part.executableCode) return [part.executableCode.code]
  return []
}

/** Watches a Gemini SSE stream for usage, output text, function calls, completion and errors. */
export function createGeminiStreamTap(): StreamTap {
  const text: string[] = []
  let usage: Usage | undefined
  let toolCalls = 0
  let completed = false
  let error: StreamTapResult['error']
  return {
    onEvent(event) {
      const chunk = parseJsonObject<GeminiGenerateContentResponse & { error?: unknown }>(event.data)
      if (!chunk) {
        error = { message: 'upstream sent a malformed stream chunk', code: 'bad_upstream_response' }
        return false
      }
      if (isRecord(chunk.error)) {
        error = {
          message: typeof chunk.error.message === 'string' ? chunk.error.message : 'upstream stream error',
          code: typeof chunk.error.status === 'string' ? chunk.error.status : undefined,
        }
      }
      usage = readGeminiUsageField(chunk) ?? usage
      for (const candidate of Array.isArray(chunk.candidates) ? chunk.candidates : []) {
        for (const part of candidate.content?.parts ?? []) {
          if (part.functionCall) toolCalls += 1
          text.push(...partText(part))
        }
        if (candidate.finishReason) completed = true
      }
      if (chunk.promptFeedback?.blockReason) completed = true
      return true
    },
    result: () => ({ usage, outputText: text.join(''), toolCalls, completed, error }),
  }
}
