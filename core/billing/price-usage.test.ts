import { describe, expect, test } from 'bun:test'
import { priceEstimate, priceUsage, UNITS_PER_USD } from './price-usage.ts'
import type { Usage } from '../hub/types.ts'

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0): Usage => ({ inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens: 0 })

describe('priceUsage', () => {
  const cases: Array<[string, Usage, Parameters<typeof priceUsage>[1], number, number]> = [
    // gpt-4o-mini: 0.15 in / 0.60 out per 1M → 1M in + 1M out = 0.75 USD = 375,000 units
    ['1M in + 1M out on gpt-4o-mini', usage(1_000_000, 1_000_000), { inputPerMTok: 0.15, outputPerMTok: 0.6 }, 1, 375_000],
    // gpt-4o: 1000 in at 2.5 + 500 out at 10 = 0.0025 + 0.005 = 0.0075 USD = 3750 units
    ['gpt-4o small call', usage(1000, 500), { inputPerMTok: 2.5, outputPerMTok: 10 }, 1, 3750],
    ['group ratio 2 doubles', usage(1000, 500), { inputPerMTok: 2.5, outputPerMTok: 10 }, 2, 7500],
    ['group ratio 0 is free', usage(1000, 500), { inputPerMTok: 2.5, outputPerMTok: 10 }, 0, 0],
    // cached reads at 1.25: 1000 uncached × 2.5 + 1000 cached × 1.25 = 0.00375 USD = 1875 units
    ['cache reads at their own rate', usage(1000, 0, 1000), { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 }, 1, 1875],
    // cache writes default to 1.25 × input: 1000 × 3.75 = 0.00375 USD = 1875 units
    ['cache writes default to 1.25x input', usage(0, 0, 0, 1000), { inputPerMTok: 3, outputPerMTok: 15 }, 1, 1875],
    ['per-call price ignores tokens', usage(123_456, 7), { perCall: 0.04 }, 1, 20_000],
    ['per-call price times group ratio', usage(0, 0), { perCall: 0.1 }, 1.5, 75_000],
    ['a tiny non-zero cost charges one unit', usage(1, 0), { inputPerMTok: 0.02 }, 1, 1],
    ['no tokens costs nothing', usage(0, 0), { inputPerMTok: 2.5 }, 1, 0],
    ['free model', usage(5000, 5000), {}, 1, 0],
  ]
  for (const [name, input, price, ratio, expected] of cases) {
    test(name, () => {
      expect(priceUsage(input, price, ratio).units).toBe(expected)
    })
  }

  test('breakdown records the tokens and base USD', () => {
    const breakdown = priceUsage(usage(1000, 500, 200), { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 }, 1)
    expect(breakdown.tokens).toEqual({ input: 1000, cacheRead: 200, cacheWrite: 0, output: 500, reasoning: 0 })
    expect(breakdown.baseUsd).toBeCloseTo(0.00775, 10)
    expect(breakdown.units).toBe(Math.round(0.00775 * UNITS_PER_USD))
  })
})

describe('priceEstimate', () => {
  test('reserves prompt plus the output ceiling, and reports the prompt-only floor', () => {
    const estimate = priceEstimate(1000, 500, { inputPerMTok: 2.5, outputPerMTok: 10 }, 1)
    expect(estimate).toEqual({ total: 3750, promptOnly: 1250 })
  })
})
