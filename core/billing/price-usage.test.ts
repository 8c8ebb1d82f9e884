import { describe, expect, test } from 'bun:test'
import { priceEstimate, priceQuantities, priceUsage, UNITS_PER_USD } from './price-usage.ts'
import type { Usage } from '@hanggent/plugin-sdk'

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0): Usage => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
  reasoningTokens: 0,
})

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

describe('non-token quantities (perUnit)', () => {
  const withQuantities = (base: Usage, quantities: Record<string, number>): Usage => ({ ...base, quantities })

  test('search units are charged on top of tokens at their own price', () => {
    // 1000 in × 2.5 + 500 out × 10 = 0.0075 USD, plus 2 search units × 0.002 = 0.004 USD → 0.0115 USD = 5750 units
    const breakdown = priceUsage(
      withQuantities(usage(1000, 500), { searchUnits: 2 }),
      { inputPerMTok: 2.5, outputPerMTok: 10, perUnit: { searchUnits: 0.002 } },
      1,
    )
    expect(breakdown.units).toBe(5750)
    expect(breakdown.quantities).toEqual({ searchUnits: { amount: 2, usd: 0.004 } })
    expect(breakdown.baseUsd).toBeCloseTo(0.0115, 10)
  })

  test('a quantity-only price (rerank by search unit, images, seconds, characters) ignores tokens', () => {
    const price = { perUnit: { searchUnits: 0.002, images: 0.04, seconds: 0.006, characters: 0.000015 } }
    const breakdown = priceUsage(withQuantities(usage(0, 0), { searchUnits: 1, images: 2, seconds: 10, characters: 1000 }), price, 1)
    // 0.002 + 0.08 + 0.06 + 0.015 = 0.157 USD = 78,500 units
    expect(breakdown.units).toBe(78_500)
  })

  test('per-call and per-unit prices add up, times the group ratio', () => {
    // (0.01 + 3 × 0.005) × 2 = 0.05 USD = 25,000 units
    expect(priceUsage(withQuantities(usage(10, 10), { renders: 3 }), { perCall: 0.01, perUnit: { renders: 0.005 } }, 2).units).toBe(25_000)
  })

  test('unpriced quantities cost nothing and a price without perUnit is unchanged', () => {
    const tokenOnly = priceUsage(withQuantities(usage(1000, 500), { searchUnits: 7 }), { inputPerMTok: 2.5, outputPerMTok: 10 }, 1)
    expect(tokenOnly.units).toBe(3750)
    expect(tokenOnly.quantities).toBeUndefined()
    expect(priceUsage(withQuantities(usage(1000, 500), { images: 1 }), { inputPerMTok: 2.5, outputPerMTok: 10, perUnit: { searchUnits: 1 } }, 1).units).toBe(
      3750,
    )
    expect(priceQuantities(usage(0, 0), { perUnit: { searchUnits: 1 } })).toEqual({ usd: 0 })
  })
})
