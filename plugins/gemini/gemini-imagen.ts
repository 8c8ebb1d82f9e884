import { GatewayError, isRecord, type MediaConversion, type ModelPrice, type ModelSpec } from '@hanggent/plugin-sdk'
import { readGeminiUpstreamError } from './gemini-errors.ts'

// OpenAI image generations served by Imagen on the Gemini API: POST {base}/v1beta/models/{model}:predict with
// `{instances:[{prompt}], parameters:{sampleCount, aspectRatio}}`, answered `{predictions:[{bytesBase64Encoded,
// mimeType}]}`. see https://ai.google.dev/gemini-api/docs/imagen (sampleCount 1-4, aspect ratios 1:1, 3:4, 4:3,
// 9:16, 16:9) and https://ai.google.dev/gemini-api/docs/pricing (Imagen 4 per image). Imagen returns image bytes
// only: a client asking `response_format: url` gets a `data:` URL, since there is no hosted file to point at.

/** The upstream-only dialect Imagen's `:predict` speaks; the gemini transport lists it. */
export const GEMINI_IMAGEN_DIALECT = 'gemini.imagen'

/** Most images Imagen makes per call. */
const MAX_SAMPLES = 4

/** The aspect ratios Imagen makes, as width/height. */
const ASPECT_RATIOS: Array<[string, number]> = [
  ['1:1', 1],
  ['3:4', 3 / 4],
  ['4:3', 4 / 3],
  ['9:16', 9 / 16],
  ['16:9', 16 / 9],
]

/** The Imagen models, image routes only. */
export const imagenModels: ModelSpec[] = ['imagen-4.0-generate-001', 'imagen-4.0-fast-generate-001', 'imagen-4.0-ultra-generate-001'].map((id) => ({
  id,
  capabilities: ['image'],
}))

/** Per-image list prices (any size): a flat `images` price, see openai's imageQuantity for the tiers other models use. */
export const imagenPricing: Record<string, ModelPrice> = {
  'imagen-4.0-generate*': { perCall: 0, perUnit: { images: 0.04 } },
  'imagen-4.0-fast-generate*': { perCall: 0, perUnit: { images: 0.02 } },
  'imagen-4.0-ultra-generate*': { perCall: 0, perUnit: { images: 0.06 } },
}

/** The Imagen aspect ratio nearest an OpenAI `WIDTHxHEIGHT` size; undefined for `auto`, no size, or one that is not WIDTHxHEIGHT. */
export function aspectRatioOf(size: unknown): string | undefined {
  const match = typeof size === 'string' ? /^(\d+)x(\d+)$/.exec(size) : null
  if (!match) return undefined
  const ratio = Number(match[1]) / Number(match[2])
  let best = ASPECT_RATIOS[0]!
  for (const candidate of ASPECT_RATIOS) if (Math.abs(Math.log(candidate[1] / ratio)) < Math.abs(Math.log(best[1] / ratio))) best = candidate
  return best[0]
}

/** `n` of the OpenAI body (a JSON number), 1 when absent. */
function countOf(body: Record<string, unknown>): number {
  return typeof body.n === 'number' ? body.n : 1
}

/** OpenAI generations → Imagen `:predict`. */
function encodeImagenRequest(body: Record<string, unknown>): { value: Record<string, unknown>; warnings: string[] } {
  const n = countOf(body)
  if (n > MAX_SAMPLES)
    throw new GatewayError(400, 'invalid_request', `Invalid 'n': ${n}. Imagen makes from 1 to ${MAX_SAMPLES} images per request.`, { param: 'n' })
  const warnings: string[] = []
  const aspectRatio = aspectRatioOf(body.size)
  if (typeof body.size === 'string' && aspectRatio !== undefined) warnings.push(`size ${body.size} is made at Imagen's nearest aspect ratio, ${aspectRatio}`)
  else if (typeof body.size === 'string' && body.size !== 'auto') warnings.push(`size ${body.size} is not WIDTHxHEIGHT: Imagen's default aspect ratio is used`)
  for (const dropped of ['quality', 'style', 'background', 'output_format', 'output_compression', 'moderation', 'user'])
    if (body[dropped] !== undefined) warnings.push(`${dropped} is not carried over to Imagen`)
  const parameters: Record<string, unknown> = { sampleCount: n }
  if (aspectRatio) parameters.aspectRatio = aspectRatio
  return { value: { instances: [{ prompt: body.prompt }], parameters }, warnings }
}

/** Imagen's predictions → OpenAI's image object, in the format the client asked for. */
function decodeImagenAnswer(text: string, request: Record<string, unknown>, now: number): unknown {
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    throw new GatewayError(502, 'bad_upstream_response', 'Imagen answered with a body that is not JSON')
  }
  const predictions = isRecord(answer) && Array.isArray(answer.predictions) ? answer.predictions : undefined
  if (!predictions) throw new GatewayError(502, 'bad_upstream_response', 'Imagen answered without predictions')
  const asUrl = request.response_format === 'url'
  const data = predictions
    .filter((prediction) => isRecord(prediction) && typeof prediction.bytesBase64Encoded === 'string')
    .map((prediction) => {
      const { bytesBase64Encoded, mimeType } = prediction as { bytesBase64Encoded: string; mimeType?: string }
      return asUrl ? { url: `data:${mimeType ?? 'image/png'};base64,${bytesBase64Encoded}` } : { b64_json: bytesBase64Encoded }
    })
  return { created: Math.floor(now / 1000), data }
}

/** How OpenAI image generations reach Imagen (PluginDefinition.mediaConversions). */
export const imagenConversion: MediaConversion = {
  from: 'openai.images.generations',
  to: GEMINI_IMAGEN_DIALECT,
  endpoint: 'image',
  encodeRequest: (body) => encodeImagenRequest(body),
  decodeAnswer: (text, request, env) => decodeImagenAnswer(text, request, env.now()),
  readUpstreamError: readGeminiUpstreamError,
}
