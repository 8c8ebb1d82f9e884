import type { ModelPrice } from '@hanggent/plugin-sdk'
import type { Usage } from '@hanggent/plugin-sdk'

/** Quota units per US dollar, the unit New API users know. */
export const UNITS_PER_USD = 500_000

/** Cache writes cost this multiple of the input price when a model lists no write price (Anthropic's 5-minute tier). */
export const DEFAULT_CACHE_WRITE_MULTIPLIER = 1.25

/** 1-hour cache writes cost this multiple of the input price when a model lists no 1-hour write price (Anthropic's `ttl: "1h"`). */
export const DEFAULT_CACHE_WRITE_1H_MULTIPLIER = 2

/** How a charge was computed; stored with every usage log. */
export interface PriceBreakdown {
  /** The price applied, in USD per 1M tokens or per call. */
  price: ModelPrice
  /** Group multiplier applied on top. */
  groupRatio: number
  /** Token counts the charge is based on (absent for per-call pricing). */
  tokens?: {
    input: number
    cacheRead: number
    cacheWrite: number
    output: number
    reasoning: number
    /** The 1-hour part of `cacheWrite`, priced at the 1-hour write rate; absent when there is none. */
    cacheWrite1h?: number
  }
  /** Non-token quantities the charge includes, with the USD each cost (only those the price names). */
  quantities?: Record<string, { amount: number; usd: number }>
  /** USD before the group ratio. */
  baseUsd: number
  /** Units charged. */
  units: number
}

/** Rounds a unit amount, charging at least one unit for any non-zero cost. */
function toUnits(amount: number): number {
  if (amount <= 0) return 0
  return Math.max(1, Math.round(amount - 1e-9))
}

/** The per-token USD rates with defaults filled in: unpriced cache reads and writes fall back to the input price. */
export function tokenRates(price: ModelPrice): { input: number; cacheRead: number; cacheWrite: number; cacheWrite1h: number; output: number } {
  const input = price.inputPerMTok ?? 0
  return {
    input,
    cacheRead: price.cacheReadPerMTok ?? input,
    cacheWrite: price.cacheWritePerMTok ?? input * DEFAULT_CACHE_WRITE_MULTIPLIER,
    cacheWrite1h: price.cacheWrite1hPerMTok ?? input * DEFAULT_CACHE_WRITE_1H_MULTIPLIER,
    output: price.outputPerMTok ?? input,
  }
}

/** The 1-hour part of a usage's cache writes, never more than all its writes. */
function oneHourWrites(usage: Usage): number {
  return Math.min(Math.max(usage.cacheWrite1hTokens ?? 0, 0), usage.cacheWriteTokens)
}

/**
 * The USD of the non-token quantities a price names (`perUnit`), with each one's share; quantities the
 * price does not name cost nothing, and a price without `perUnit` adds nothing.
 */
export function priceQuantities(usage: Usage, price: ModelPrice): { usd: number; quantities?: Record<string, { amount: number; usd: number }> } {
  const perUnit = price.perUnit
  if (!perUnit) return { usd: 0 }
  const quantities: Record<string, { amount: number; usd: number }> = {}
  let usd = 0
  for (const [name, unitPrice] of Object.entries(perUnit)) {
    const amount = usage.quantities?.[name] ?? 0
    if (unitPrice === undefined || amount <= 0) continue
    quantities[name] = { amount, usd: amount * unitPrice }
    usd += amount * unitPrice
  }
  return Object.keys(quantities).length > 0 ? { usd, quantities } : { usd }
}

/** Prices a call from its usage: per-call when the price says so, else tokens × rates, plus non-token quantities, times the group ratio. */
export function priceUsage(usage: Usage, price: ModelPrice, groupRatio: number): PriceBreakdown {
  const extra = priceQuantities(usage, price)
  const quantities = extra.quantities ? { quantities: extra.quantities } : {}
  if (price.perCall !== undefined) {
    const baseUsd = price.perCall + extra.usd
    return { price, groupRatio, ...quantities, baseUsd, units: toUnits(baseUsd * UNITS_PER_USD * groupRatio) }
  }
  const rates = tokenRates(price)
  const cacheWrite1h = oneHourWrites(usage)
  const baseUsd =
    (usage.inputTokens * rates.input +
      usage.cacheReadTokens * rates.cacheRead +
      (usage.cacheWriteTokens - cacheWrite1h) * rates.cacheWrite +
      cacheWrite1h * rates.cacheWrite1h +
      usage.outputTokens * rates.output) /
      1_000_000 +
    extra.usd
  return {
    price,
    groupRatio,
    tokens: {
      input: usage.inputTokens,
      cacheRead: usage.cacheReadTokens,
      cacheWrite: usage.cacheWriteTokens,
      output: usage.outputTokens,
      reasoning: usage.reasoningTokens,
      ...(cacheWrite1h > 0 ? { cacheWrite1h } : {}),
    },
    ...quantities,
    baseUsd,
    units: toUnits(baseUsd * UNITS_PER_USD * groupRatio),
  }
}

/**
 * The amount to reserve before a call: the prompt estimate plus the output ceiling, all as uncached tokens,
 * plus the non-token quantities the call is expected to bill (a rerank query's search units).
 */
export function priceEstimate(
  promptTokens: number,
  maxOutputTokens: number,
  price: ModelPrice,
  groupRatio: number,
  quantities?: Record<string, number>,
): { total: number; promptOnly: number } {
  const usage = (output: number): Usage => ({
    inputTokens: promptTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: output,
    reasoningTokens: 0,
    ...(quantities ? { quantities } : {}),
  })
  return {
    total: priceUsage(usage(maxOutputTokens), price, groupRatio).units,
    promptOnly: priceUsage(usage(0), price, groupRatio).units,
  }
}
