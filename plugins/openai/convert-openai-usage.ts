import { recordMember, tokenCount, type Usage } from '@hanggent/plugin-sdk'
import type { OpenAIUsage } from '../../schemas/openai-chat.ts'

// see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
// OpenAI counts cached tokens inside prompt_tokens and reasoning tokens inside completion_tokens.

/** Converts OpenAI usage into hub usage, splitting cached tokens out of the prompt count. */
export function convertOpenAIUsage(usage: OpenAIUsage): Usage {
  const prompt = tokenCount(usage.prompt_tokens)
  const cached = Math.min(tokenCount(usage.prompt_tokens_details?.cached_tokens), prompt)
  const completion = tokenCount(usage.completion_tokens)
  return {
    inputTokens: prompt - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: completion,
    reasoningTokens: Math.min(tokenCount(usage.completion_tokens_details?.reasoning_tokens), completion),
    raw: usage,
  }
}

/** Reads the `usage` field of a response or chunk, if it holds a usage object. */
export function readOpenAIUsageField(value: unknown): Usage | undefined {
  const usage = recordMember(value, 'usage')
  return usage ? convertOpenAIUsage(usage as OpenAIUsage) : undefined
}
