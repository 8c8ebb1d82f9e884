import type { ModelPrice } from '@hanggent/plugin-sdk'

// see https://cohere.com/pricing: Rerank is $2.00 per 1,000 searches (a search unit is one query over up to
// 100 documents), billed from the answer's `meta.billed_units.search_units`; chat models per 1M tokens, plus
// the same search units when a chat call searches (Cohere reports them in `usage.billed_units`).

/** Cohere's list prices, USD. */
export const coherePricing: Record<string, ModelPrice> = {
  'rerank-v3.5': { perUnit: { searchUnits: 0.002 } },
  'rerank-english-v3.0': { perUnit: { searchUnits: 0.002 } },
  'rerank-multilingual-v3.0': { perUnit: { searchUnits: 0.002 } },
  'command-a-03-2025': { inputPerMTok: 2.5, outputPerMTok: 10, perUnit: { searchUnits: 0.002 } },
  'command-a-reasoning-08-2025': { inputPerMTok: 2.5, outputPerMTok: 10, perUnit: { searchUnits: 0.002 } },
  'command-r-plus': { inputPerMTok: 2.5, outputPerMTok: 10, perUnit: { searchUnits: 0.002 } },
  'command-r': { inputPerMTok: 0.15, outputPerMTok: 0.6, perUnit: { searchUnits: 0.002 } },
}
