import { totalInputTokens, type Usage } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
// OpenAI counts cached (and cache-written) tokens inside prompt_tokens and reasoning inside completion_tokens.

/** OpenAI Chat's usage object, as the API returns it. */
export interface OpenAIChatUsageBody {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details: { cached_tokens: number }
  completion_tokens_details: { reasoning_tokens: number }
}

/** Hub usage as OpenAI Chat usage. */
export function toOpenAIChatUsage(usage: Usage): OpenAIChatUsageBody {
  const prompt = totalInputTokens(usage)
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  }
}
