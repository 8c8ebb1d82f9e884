import type { ModelPrice } from '@hanggent/plugin-sdk'
import type { SystemOptionValues } from '../options.ts'

/** USD per 1M input tokens that a New API model ratio of 1 stands for (0.002 USD per 1K tokens). */
export const USD_PER_MTOK_PER_RATIO = 2

/** Converts New API ratios into a price in USD per 1M tokens. */
export function priceFromRatios(ratios: SystemOptionValues['modelRatios'][string]): ModelPrice {
  const input = ratios.modelRatio * USD_PER_MTOK_PER_RATIO
  return {
    inputPerMTok: input,
    outputPerMTok: input * (ratios.completionRatio ?? 1),
    ...(ratios.cacheRatio === undefined ? {} : { cacheReadPerMTok: input * ratios.cacheRatio }),
    ...(ratios.cacheWriteRatio === undefined ? {} : { cacheWritePerMTok: input * ratios.cacheWriteRatio }),
  }
}

/** Where a price came from, kept in the usage log. */
export type PriceSource = 'override' | 'ratio' | 'plugin' | 'self-use'

/**
 * The price of a model: the admin's USD override, else the admin's ratios, else the plugin's list
 * price; undefined when none exists (the caller refuses the model unless self-use mode is on).
 */
export function lookupPrice(
  options: SystemOptionValues,
  listPrice: (model: string) => ModelPrice | undefined,
  model: string,
): { price: ModelPrice; source: PriceSource } | undefined {
  const override = options.modelPrices[model]
  if (override) return { price: override, source: 'override' }
  const ratios = options.modelRatios[model]
  if (ratios) return { price: priceFromRatios(ratios), source: 'ratio' }
  const listed = listPrice(model)
  if (listed) return { price: listed, source: 'plugin' }
  return options.selfUseMode ? { price: {}, source: 'self-use' } : undefined
}
