import { tokenCount, type Usage } from '@hanggent/plugin-sdk'
import type { QuillonUsage } from './quillon-api.ts'

/**
 * Quillon's `x_usage` in hub terms. Quillon counts cached input inside `input_tokens` (as OpenAI does), so
 * the cached part is taken out of the uncached count. No `x_usage` member means "no usage": the gateway counts.
 */
export function convertQuillonUsage(usage: QuillonUsage | undefined | null): Usage | undefined {
  if (usage === undefined || usage === null || typeof usage !== 'object') return undefined
  const input = tokenCount(usage.input_tokens)
  const cached = Math.min(tokenCount(usage.cached_input_tokens), input)
  return {
    inputTokens: input - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(usage.output_tokens),
    reasoningTokens: 0,
    raw: usage,
  }
}
