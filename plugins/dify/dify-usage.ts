import type { Usage } from '@hanggent/plugin-sdk'
import type { DifyUsage } from './dify-api.ts'

// Dify's `metadata.usage` in hub terms. Dify counts the tokens of every LLM node the app ran and
// reports no cache split, so all input is uncached. A usage whose total is zero (apps whose nodes
// report nothing) counts as absent, so the gateway estimates from the text instead of billing nothing.

/** Dify usage as hub usage, or undefined when it is missing or all zero. */
export function convertDifyUsage(usage: DifyUsage | undefined): Usage | undefined {
  if (!usage) return undefined
  const input = usage.prompt_tokens ?? 0
  const output = usage.completion_tokens ?? 0
  if (input + output === 0 && !usage.total_tokens) return undefined
  return { inputTokens: input, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: output, reasoningTokens: 0, raw: usage }
}
