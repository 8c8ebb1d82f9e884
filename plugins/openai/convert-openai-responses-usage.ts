import { totalInputTokens, type Usage } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesUsage } from '../../schemas/openai-responses.ts'

// see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
// Like Chat, the Responses API counts cached tokens inside input_tokens and reasoning tokens inside
// output_tokens; only the field names differ.

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

/** Converts Responses usage into hub usage, splitting cached tokens out of the input count. */
export function convertOpenAIResponsesUsage(usage: OpenAIResponsesUsage): Usage {
  const input = count(usage.input_tokens)
  const cached = Math.min(count(usage.input_tokens_details?.cached_tokens), input)
  const output = count(usage.output_tokens)
  return {
    inputTokens: input - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: output,
    reasoningTokens: Math.min(count(usage.output_tokens_details?.reasoning_tokens), output),
    raw: usage,
  }
}

/** Reads `usage` of a response object, if it holds one. */
export function readOpenAIResponsesUsageField(response: unknown): Usage | undefined {
  if (typeof response !== 'object' || response === null) return undefined
  const usage = (response as { usage?: unknown }).usage
  return typeof usage === 'object' && usage !== null ? convertOpenAIResponsesUsage(usage as OpenAIResponsesUsage) : undefined
}

/** Hub usage as Responses usage, every detail field present as the API sends it (cache writes included, as current SDKs expect). */
export function toOpenAIResponsesUsage(usage: Usage) {
  const input = totalInputTokens(usage)
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: input + usage.outputTokens,
  }
}
