import type { ModelPrice } from '@hanggent/plugin-sdk'

// List prices in USD per 1M tokens from https://docs.claude.com/en/docs/about-claude/pricing.
// Cache writes are the 5-minute tier (1.25× input) and the 1-hour tier (`ttl: "1h"`, 2× input, billed
// from `cache_creation.ephemeral_1h_input_tokens`); cache reads are 0.1× input — except Claude 3 Haiku,
// listed at 0.30 / 0.03 (its 1-hour writes at 2× input, 0.50).
// A key ending in `*` covers aliases and dated snapshots (`claude-sonnet-4-5-20250929`); the
// longest matching prefix wins.
// Sonnet 4 / 4.5 prompts above 200K tokens (1M-context beta) cost more; admins override if they use it.

const price = (inputPerMTok: number, outputPerMTok: number, cacheWritePerMTok: number, cacheReadPerMTok: number): ModelPrice => ({
  inputPerMTok,
  outputPerMTok,
  cacheWritePerMTok,
  cacheWrite1hPerMTok: inputPerMTok * 2,
  cacheReadPerMTok,
})

/** Anthropic Claude model prices. */
export const claudePricing: Record<string, ModelPrice> = {
  'claude-opus-4-5*': price(5, 25, 6.25, 0.5),
  'claude-opus-4-1*': price(15, 75, 18.75, 1.5),
  'claude-opus-4*': price(15, 75, 18.75, 1.5),
  'claude-sonnet-4-5*': price(3, 15, 3.75, 0.3),
  'claude-sonnet-4*': price(3, 15, 3.75, 0.3),
  'claude-haiku-4-5*': price(1, 5, 1.25, 0.1),
  'claude-3-7-sonnet*': price(3, 15, 3.75, 0.3),
  'claude-3-5-sonnet*': price(3, 15, 3.75, 0.3),
  'claude-3-5-haiku*': price(0.8, 4, 1, 0.08),
  'claude-3-opus*': price(15, 75, 18.75, 1.5),
  'claude-3-haiku*': price(0.25, 1.25, 0.3, 0.03),
}
