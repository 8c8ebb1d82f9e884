import { tokenCount, type Usage } from '@hanggent/plugin-sdk'
import type { OpenAIUsage } from '../../schemas/openai-chat.ts'

// see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
// OpenAI counts cached tokens inside prompt_tokens and reasoning tokens inside completion_tokens.

/** OpenAI's four counts, as either API names them (Chat: prompt/completion tokens; Responses: input/output tokens). */
export interface OpenAITokenCounts {
  input: unknown
  cached: unknown
  output: unknown
  reasoning: unknown
}

/**
 * Hub usage from OpenAI's counts: both the Chat and the Responses API count cached tokens inside the
 * input and reasoning tokens inside the output, so cached tokens are split out of the input count.
 */
export function splitOpenAITokenCounts(counts: OpenAITokenCounts, raw: unknown): Usage {
  const input = tokenCount(counts.input)
  const cached = Math.min(tokenCount(counts.cached), input)
  const output = tokenCount(counts.output)
  return {
    inputTokens: input - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: output,
    reasoningTokens: Math.min(tokenCount(counts.reasoning), output),
    raw,
  }
}

/** Converts OpenAI usage into hub usage, splitting cached tokens out of the prompt count. */
export function convertOpenAIUsage(usage: OpenAIUsage): Usage {
  return splitOpenAITokenCounts(
    {
      input: usage.prompt_tokens,
      cached: usage.prompt_tokens_details?.cached_tokens,
      output: usage.completion_tokens,
      reasoning: usage.completion_tokens_details?.reasoning_tokens,
    },
    usage,
  )
}
