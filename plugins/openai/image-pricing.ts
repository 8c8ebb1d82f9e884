import type { ModelPrice } from '@hanggent/plugin-sdk'
import { imageQuantity } from './openai-images-usage.ts'

// Image prices from https://openai.com/api/pricing (and https://platform.openai.com/docs/pricing#image-generation).
// dall-e-2 and dall-e-3 are priced per image by size and quality: each tier is a `perUnit` price on the quantity
// the images dialects count (`images<size><Quality>`, e.g. `images1792x1024Hd`, see imageQuantity). gpt-image-1 is priced by tokens: text
// input at the input price, image input tokens as the `imageInputTokens` quantity, image output at the output price.

/** Per-image prices of one model, by size and quality: `{ '1024x1024': { standard: 0.04, hd: 0.08 } }`. */
function perImage(tiers: Record<string, Record<string, number>>): ModelPrice {
  const perUnit: Record<string, number> = {}
  for (const [size, qualities] of Object.entries(tiers)) for (const [quality, usd] of Object.entries(qualities)) perUnit[imageQuantity(size, quality)] = usd
  return { perCall: 0, perUnit }
}

/** USD per image input token of gpt-image-1 ($10 per 1M). */
const GPT_IMAGE_INPUT_IMAGE_PER_TOKEN = 10 / 1_000_000

/** OpenAI image model prices. */
export const openAIImagePricing: Record<string, ModelPrice> = {
  'dall-e-2': perImage({ '256x256': { standard: 0.016 }, '512x512': { standard: 0.018 }, '1024x1024': { standard: 0.02 } }),
  'dall-e-3': perImage({
    '1024x1024': { standard: 0.04, hd: 0.08 },
    '1792x1024': { standard: 0.08, hd: 0.12 },
    '1024x1792': { standard: 0.08, hd: 0.12 },
  }),
  'gpt-image-1*': { inputPerMTok: 5, cacheReadPerMTok: 1.25, outputPerMTok: 40, perUnit: { imageInputTokens: GPT_IMAGE_INPUT_IMAGE_PER_TOKEN } },
  'gpt-image-1-mini*': { inputPerMTok: 2, cacheReadPerMTok: 0.2, outputPerMTok: 8, perUnit: { imageInputTokens: 2.5 / 1_000_000 } },
}
