import { totalInputTokens, type Usage } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesUsage } from '../../schemas/openai-responses.ts'
import { splitOpenAITokenCounts } from './convert-openai-usage.ts'

// see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
// Like Chat, the Responses API counts cached tokens inside input_tokens and reasoning tokens inside
// output_tokens; only the field names differ.

/** Converts Responses usage into hub usage, splitting cached tokens out of the input count. */
export function convertOpenAIResponsesUsage(usage: OpenAIResponsesUsage): Usage {
  return splitOpenAITokenCounts(
    {
      input: usage.input_tokens,
      cached: usage.input_tokens_details?.cached_tokens,
      output: usage.output_tokens,
      reasoning: usage.output_tokens_details?.reasoning_tokens,
    },
    usage,
  )
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
