import { tokenCount, type Usage } from '@hanggent/plugin-sdk'
import type { ClaudeUsage } from './claude-api.ts'

// see https://docs.claude.com/en/api/messages#response-usage and
// https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
// Anthropic reports input in three separate counts: `input_tokens` (after the last cache
// breakpoint, so never including cached tokens), `cache_read_input_tokens` and
// `cache_creation_input_tokens`. The hub keeps the same split, so nothing is subtracted. Thinking
// tokens are inside `output_tokens`; newer API versions also report them in `output_tokens_details`.
// `cache_creation` splits the writes by cache lifetime (5 minutes, 1 hour), which are priced apart.

/** Anthropic usage as hub usage, keeping the vendor object as `raw`. */
export function convertClaudeUsage(usage: ClaudeUsage): Usage {
  const outputTokens = tokenCount(usage.output_tokens)
  return {
    inputTokens: tokenCount(usage.input_tokens),
    cacheReadTokens: tokenCount(usage.cache_read_input_tokens),
    cacheWriteTokens: tokenCount(usage.cache_creation_input_tokens),
    outputTokens,
    reasoningTokens: Math.min(tokenCount(usage.output_tokens_details?.thinking_tokens), outputTokens),
    ...oneHourWrites(usage),
    raw: usage,
  }
}

/**
 * The 1-hour part of the cache writes (`cache_creation.ephemeral_1h_input_tokens`, for `ttl: "1h"`
 * breakpoints), billed at its own price; absent when there is none. The 5-minute part is the rest of
 * `cache_creation_input_tokens`.
 */
function oneHourWrites(usage: ClaudeUsage): { cacheWrite1hTokens?: number } {
  const tokens = tokenCount(usage.cache_creation?.ephemeral_1h_input_tokens)
  return tokens > 0 ? { cacheWrite1hTokens: tokens } : {}
}

/**
 * Merges a `message_delta` usage into what `message_start` reported: counters present in the delta
 * are cumulative totals for the whole message and replace the earlier ones; absent ones are kept.
 */
export function mergeClaudeUsage(earlier: ClaudeUsage | undefined, delta: ClaudeUsage): ClaudeUsage {
  const merged: ClaudeUsage = { ...earlier }
  for (const [field, value] of Object.entries(delta) as Array<[keyof ClaudeUsage, unknown]>) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[field] = value
  }
  return merged
}

/** Hub usage in Anthropic's shape, cache counts beside (not inside) the input count. */
export function toClaudeUsage(usage: Usage | undefined): {
  input_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
  output_tokens: number
} {
  return {
    input_tokens: usage?.inputTokens ?? 0,
    cache_creation_input_tokens: usage?.cacheWriteTokens ?? 0,
    cache_read_input_tokens: usage?.cacheReadTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
  }
}
