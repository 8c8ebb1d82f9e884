import { USD_PER_MODEL_RATIO, type RatioPrice, type UsdPrice } from './types.ts'

/** The parts of a USD price, in the order the dashboard lists them. */
export const PRICE_PARTS = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok', 'cacheWrite1hPerMTok', 'perCall'] as const
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

/** A quantity name as plugins and the gateway spell it: camelCase letters and digits (the SDK's QUANTITY_PATTERN). */
export const QUANTITY_NAME = /^[a-z][a-zA-Z0-9]{0,39}$/

/** The quantities the built-in plugins bill by, each with its own label (settings.pricing.q.<name>). */
const NAMED_QUANTITIES = [
  'searchUnits',
  'images',
  'seconds',
  'characters',
  'audioInputTokens',
  'audioOutputTokens',
  'cachedAudioInputTokens',
  'imageInputTokens',
]

/**
 * Which label a quantity gets: its own for the common ones, "image, 1792x1024, hd" for the image tiers
 * (`images<size><Quality>`), else the plugin's own quantity; as a message key and its parameters.
 */
export function quantityLabel(name: string): { key: string; params: Record<string, string> } {
  if (NAMED_QUANTITIES.includes(name)) return { key: `settings.pricing.q.${name}`, params: {} }
  const tier = /^images(\d+x\d+)([A-Z][a-zA-Z]*)?$/.exec(name)
  if (tier) {
    const [, size = '', quality] = tier
    return quality
      ? { key: 'settings.pricing.q.imagesSizedQuality', params: { size, quality: quality.toLowerCase() } }
      : { key: 'settings.pricing.q.imagesSized', params: { size } }
  }
  return { key: 'settings.pricing.q.custom', params: {} }
}
