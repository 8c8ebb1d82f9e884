import { GatewayError, type ModelSpec } from '@hanggent/plugin-sdk'

// What each OpenAI image model accepts, from https://platform.openai.com/docs/api-reference/images and
// https://platform.openai.com/docs/guides/image-generation: dall-e-3 makes one image per call and only generates;
// dall-e-2 edits and varies one square PNG under 4 MB; gpt-image-1 edits up to 16 PNG/WebP/JPEG images under 50 MB.
// A model not listed here (an OpenAI-compatible vendor's) gets the loosest rules and its upstream decides the rest.

/** One of the three image operations, as the route names it. */
export type ImageOperation = 'generations' | 'edits' | 'variations'

/** What one image model accepts. */
export interface ImageModelRules {
  /** Operations the model serves. */
  operations: readonly ImageOperation[]
  /** Most images per call. */
  maxN: number
  /** Sizes accepted; undefined: any `WIDTHxHEIGHT` or `auto`. */
  sizes?: readonly string[]
  /** Qualities accepted; undefined: any. */
  qualities?: readonly string[]
  /** The size the model makes when the request names none (prices depend on it). */
  defaultSize: string
  /** The quality the model makes when the request names none. */
  defaultQuality: string
  /** Most input images of an edit. */
  maxInputImages: number
  /** Largest input image (and mask), in bytes. */
  maxImageBytes: number
  /** Image output tokens of the largest, highest-quality image, for the reservation of token-billed models. */
  maxOutputTokensPerImage?: number
}

const MB = 1024 * 1024

const gptImage: ImageModelRules = {
  operations: ['generations', 'edits'],
  maxN: 10,
  sizes: ['1024x1024', '1536x1024', '1024x1536', 'auto'],
  qualities: ['low', 'medium', 'high', 'auto'],
  defaultSize: 'auto',
  defaultQuality: 'auto',
  maxInputImages: 16,
  maxImageBytes: 50 * MB,
  // see https://platform.openai.com/docs/guides/image-generation#cost-and-latency: high quality 1024x1536 is 6240 tokens.
  maxOutputTokensPerImage: 6240,
}

/** The rules of the image models OpenAI documents. */
export const IMAGE_MODEL_RULES: Record<string, ImageModelRules> = {
  'dall-e-2': {
    operations: ['generations', 'edits', 'variations'],
    maxN: 10,
    sizes: ['256x256', '512x512', '1024x1024'],
    qualities: ['standard'],
    defaultSize: '1024x1024',
    defaultQuality: 'standard',
    maxInputImages: 1,
    maxImageBytes: 4 * MB,
  },
  'dall-e-3': {
    operations: ['generations'],
    maxN: 1,
    sizes: ['1024x1024', '1792x1024', '1024x1792'],
    qualities: ['standard', 'hd'],
    defaultSize: '1024x1024',
    defaultQuality: 'standard',
    maxInputImages: 0,
    maxImageBytes: 0,
  },
  'gpt-image-1': gptImage,
  'gpt-image-1-mini': gptImage,
}

/** Rules for models not listed: what the API's schema allows, nothing model-specific. */
const UNKNOWN_MODEL: ImageModelRules = {
  operations: ['generations', 'edits', 'variations'],
  maxN: 10,
  defaultSize: 'auto',
  defaultQuality: 'auto',
  maxInputImages: 16,
  maxImageBytes: 50 * MB,
}

/** The upstream path of each image dialect, under the API's `/v1` (OpenAI) or a deployment (Azure). */
export const IMAGE_PATHS: Record<string, string> = {
  'openai.images.generations': '/images/generations',
  'openai.images.edits': '/images/edits',
  'openai.images.variations': '/images/variations',
}

/** The model OpenAI uses when an image request names none. */
export const DEFAULT_IMAGE_MODEL = 'dall-e-2'

/** The image models the plugin knows, for the registry (image routes only). */
export const openAIImageModels: ModelSpec[] = Object.keys(IMAGE_MODEL_RULES).map((id) => ({ id, capabilities: ['image'] }))

/** A model's rules; a dated snapshot (`gpt-image-1-2025-04-15`) takes its base model's. */
export function imageModelRules(model: string): ImageModelRules {
  return IMAGE_MODEL_RULES[model] ?? IMAGE_MODEL_RULES[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')] ?? UNKNOWN_MODEL
}

/**
 * The fields the image reads use, as the three image schemas give them: the generations JSON body's numbers, or a
 * form's digits (`n=2`), which the schemas check as digits and `imageInteger` turns into numbers.
 */
export interface ImageRequestFields {
  model?: string
  n?: number | string
  size?: string
  quality?: string
  prompt?: string
  output_compression?: number | string
}

/** The image fields of a body the core validated but hands over untyped (MediaSpec.readUsage), each kept only at its schema type. */
export function imageFieldsOf(body: Record<string, unknown>): ImageRequestFields {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  const integer = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? value : undefined)
  return { model: text(body.model), n: integer(body.n), size: text(body.size), quality: text(body.quality), prompt: text(body.prompt) }
}

/** The model an image request names, else OpenAI's default. */
export function imageModelOf(body: ImageRequestFields): string {
  return body.model !== undefined && body.model !== '' ? body.model : DEFAULT_IMAGE_MODEL
}

/**
 * An integer field of a JSON body or a form (digits), converted once and checked against its range: a value outside
 * it is a 400 naming the field, not a number passed on to the upstream unchecked.
 */
export function imageInteger(value: number | string | undefined, field: string, minimum: number, maximum: number): number | undefined {
  if (value === undefined) return undefined
  const number = typeof value === 'string' ? Number(value) : value
  if (!Number.isInteger(number) || number < minimum || number > maximum)
    throw invalid(field, `Invalid '${field}': ${value}. Expected an integer from ${minimum} to ${maximum}.`)
  return number
}

/** `n` of a JSON body or a multipart text field; 1 when absent. */
export function imageCountOf(body: ImageRequestFields): number {
  const n = typeof body.n === 'string' ? Number(body.n) : body.n
  return n !== undefined && Number.isInteger(n) ? n : 1
}

/** The size and quality the call is made (and priced) at: the request's, else the model's defaults. */
export function imageTierOf(body: ImageRequestFields): { size: string; quality: string } {
  const rules = imageModelRules(imageModelOf(body))
  return { size: body.size ?? rules.defaultSize, quality: body.quality ?? rules.defaultQuality }
}

const quoted = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ')

/** A 400 in OpenAI's words, naming the parameter. */
function invalid(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request', message, { param })
}

/** Refuses what the model cannot do: the operation, `n` above its maximum, a size or quality it does not make. */
export function checkImageRequest(operation: ImageOperation, body: ImageRequestFields): void {
  const model = imageModelOf(body)
  const rules = imageModelRules(model)
  if (!rules.operations.includes(operation))
    throw invalid('model', `The model '${model}' does not support image ${operation}; it serves ${rules.operations.join(', ')}.`)
  const n = imageCountOf(body)
  if (n < 1 || n > rules.maxN)
    throw invalid('n', `Invalid 'n': ${n}. The model '${model}' makes ${rules.maxN === 1 ? '1 image' : `from 1 to ${rules.maxN} images`} per request.`)
  imageInteger(body.output_compression, 'output_compression', 0, 100)
  const size = body.size
  if (size !== undefined) {
    const allowed = rules.sizes ? rules.sizes.includes(size) : /^(auto|\d{2,5}x\d{2,5})$/.test(size)
    if (!allowed)
      throw invalid('size', `Invalid size '${size}'.${rules.sizes ? ` The model '${model}' supports ${quoted(rules.sizes)}.` : ' Use WIDTHxHEIGHT or auto.'}`)
  }
  const quality = body.quality
  if (quality !== undefined && rules.qualities && !rules.qualities.includes(quality))
    throw invalid('quality', `Invalid quality '${quality}'. The model '${model}' supports ${quoted(rules.qualities)}.`)
}
