import { tokenCount, type Usage } from '@hanggent/plugin-sdk'
import type { CohereUsage } from './cohere-api.ts'

/**
 * Cohere's usage in hub terms: billed tokens (what the price applies to) and billed search units and
 * classifications as non-token quantities. No `usage` member means "no usage" (the gateway counts);
 * a member with zeros is passed on as zeros (the gateway bills it and flags it).
 */
export function convertCohereUsage(usage: CohereUsage | undefined): Usage | undefined {
  if (usage === undefined || usage === null || typeof usage !== 'object') return undefined
  const billed = usage.billed_units ?? {}
  const tokens = usage.tokens ?? {}
  const quantities: Record<string, number> = {}
  if (billed.search_units !== undefined) quantities.searchUnits = tokenCount(billed.search_units)
  if (billed.classifications !== undefined) quantities.classifications = tokenCount(billed.classifications)
  return {
    inputTokens: tokenCount(billed.input_tokens ?? tokens.input_tokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(billed.output_tokens ?? tokens.output_tokens),
    reasoningTokens: 0,
    raw: usage,
    ...(Object.keys(quantities).length > 0 ? { quantities } : {}),
  }
}
