import type { Usage } from '@hanggent/plugin-sdk'
import type { OpenAIUsage } from '../../schemas/openai-chat.ts'

// see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
// OpenAI counts cached tokens inside prompt_tokens and reasoning tokens inside completion_tokens.

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

/** Converts OpenAI usage into hub usage, splitting cached tokens out of the prompt count. */
export function convertOpenAIUsage(usage: OpenAIUsage): Usage {
  const prompt = count(usage.prompt_tokens)
  const cached = Math.min(count(usage.prompt_tokens_details?.cached_tokens), prompt)
  const completion = count(usage.completion_tokens)
  return {
    inputTokens: prompt - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: completion,
    reasoningTokens: Math.min(count(usage.completion_tokens_details?.reasoning_tokens), completion),
    raw: usage,
  }
}

/** Reads the `usage` field of a response or chunk, if it holds a usage object. */
export function readOpenAIUsageField(value: unknown): Usage | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const usage = (value as { usage?: unknown }).usage
  if (typeof usage !== 'object' || usage === null) return undefined
  return convertOpenAIUsage(usage as OpenAIUsage)
}
