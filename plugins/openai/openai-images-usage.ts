import { finiteNumber, isRecord, type PromptEstimateInput, type Usage } from '@hanggent/plugin-sdk'
import { imageCountOf, imageModelOf, imageModelRules, imageTierOf, type ImageRequestFields } from './openai-image-models.ts'

// Billing of OpenAI image answers ({created, data:[{url}|{b64_json}], usage?}, see
// https://platform.openai.com/docs/api-reference/images/object): the images actually returned, counted under their
// size and quality tier, and gpt-image-1's token usage ({input_tokens, output_tokens, input_tokens_details:
// {text_tokens, image_tokens}}) with image input tokens as their own quantity, since they have their own price.

/**
 * The usage quantity an image of this size and quality is counted under, a camelCase name as quantities are:
 * `images<size><Quality>` (e.g. `images1792x1024Hd`, `images1024x1024Standard`); a model's price names each tier
 * it charges in `perUnit`, and a tier without a price costs nothing (gpt-image-1 is billed by tokens instead).
 */
export function imageQuantity(size: string, quality: string): string {
  const word = (text: string) => text.replace(/[^A-Za-z0-9]/g, '').replace(/^[a-z]/, (first) => first.toUpperCase())
  return `images${word(size)}${word(quality)}`
}

/**
 * Every image is counted twice: as `images` and under its tier. A price names one or the other — `images` for a
 * flat per-image price whatever the size (Imagen), tiers where size and quality change the price (dall-e) — so
 * an image is charged once.
 */
export const IMAGES = 'images'

/** The quantity gpt-image-1's image input tokens are counted under (priced per token in `perUnit`). */
export const IMAGE_INPUT_TOKENS = 'imageInputTokens'

/** Usage of an image answer: the images it holds at the requested tier, and the tokens it reports. */
export function readOpenAIImageUsage(requestBody: ImageRequestFields, answer: unknown): Usage | undefined {
  if (!isRecord(answer) || !Array.isArray(answer.data)) return undefined
  const { size, quality } = imageTierOf(requestBody)
  const quantities: Record<string, number> = { [IMAGES]: answer.data.length, [imageQuantity(size, quality)]: answer.data.length }
  const reported = isRecord(answer.usage) ? answer.usage : undefined
  const details = reported && isRecord(reported.input_tokens_details) ? reported.input_tokens_details : undefined
  const input = finiteNumber(reported?.input_tokens) ?? 0
  const imageTokens = finiteNumber(details?.image_tokens) ?? 0
  const textTokens = finiteNumber(details?.text_tokens) ?? input - imageTokens
  if (imageTokens > 0) quantities[IMAGE_INPUT_TOKENS] = imageTokens
  return {
    inputTokens: textTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: finiteNumber(reported?.output_tokens) ?? 0,
    reasoningTokens: 0,
    quantities,
  }
}

/** The prompt to count and the images to reserve: `n` at the requested tier (a token-billed model reserves output tokens instead). */
export function estimateImagePrompt(body: ImageRequestFields): PromptEstimateInput {
  const { size, quality } = imageTierOf(body)
  return {
    texts: body.prompt !== undefined ? [body.prompt] : [],
    fixedTokens: 0,
    quantities: { [IMAGES]: imageCountOf(body), [imageQuantity(size, quality)]: imageCountOf(body) },
  }
}

/** Output tokens to reserve: `n` of the model's largest image when it bills output tokens, else none. */
export function imageOutputCeiling(body: ImageRequestFields): number {
  const perImage = imageModelRules(imageModelOf(body)).maxOutputTokensPerImage ?? 0
  return perImage * imageCountOf(body)
}
