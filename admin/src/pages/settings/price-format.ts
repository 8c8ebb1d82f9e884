import { USD_PER_MODEL_RATIO, type RatioPrice, type UsdPrice } from './types.ts'

/** The parts of a USD price, in the order the dashboard lists them. */
export const PRICE_PARTS = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok', 'perCall'] as const
/** One part of a price. */
export type PricePart = (typeof PRICE_PARTS)[number]

/** The parts a price sets, with their values (unset parts left out). */
export function setParts(price: UsdPrice | null | undefined): Array<[PricePart, number]> {
  if (!price) return []
  return PRICE_PARTS.flatMap((part) => (price[part] === null || price[part] === undefined ? [] : [[part, price[part]] as [PricePart, number]]))
}

/**
 * What New API's ratios mean in USD per 1M tokens: model ratio 1 is 2 USD of input; the other ratios
 * multiply the input price. Unset ratios leave their part unset (the gateway's own reading).
 */
export function ratiosToUsd(ratios: Partial<RatioPrice>): UsdPrice {
  const input = ratios.modelRatio === undefined || ratios.modelRatio === null ? null : ratios.modelRatio * USD_PER_MODEL_RATIO
  const times = (ratio: number | null | undefined) => (input === null ? null : ratio === undefined || ratio === null ? null : roundUsd(input * ratio))
  return {
    inputPerMTok: input === null ? null : roundUsd(input),
    outputPerMTok: input === null ? null : roundUsd(input * (ratios.completionRatio ?? 1)),
    cacheReadPerMTok: times(ratios.cacheRatio),
    cacheWritePerMTok: times(ratios.cacheWriteRatio),
    cacheWrite1hPerMTok: null,
    perCall: null,
    perUnit: null,
  }
}

/** USD rounded to a millionth, so 0.1 × 3 shows as 0.3. */
export function roundUsd(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000
}
