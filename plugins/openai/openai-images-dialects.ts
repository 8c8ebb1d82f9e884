import type { DialectCodec, FormFileRule, MediaSpec, TypedDialectCodec } from '@hanggent/plugin-sdk'
import type { TSchema } from '@sinclair/typebox'
import { OpenAIImageEditFields, OpenAIImageGenerationRequest, OpenAIImageVariationFields } from '../../schemas/openai-images.ts'
import { readOpenAIKey } from './openai-dialects.ts'
import { readOpenAIUpstreamError, renderOpenAIError, renderOpenAIStreamError } from './openai-errors.ts'
import { checkImageRequest, imageFieldsOf, imageModelOf, type ImageOperation, type ImageRequestFields } from './openai-image-models.ts'
import { estimateImagePrompt, imageOutputCeiling, readOpenAIImageUsage } from './openai-images-usage.ts'

// The three OpenAI image routes, see https://platform.openai.com/docs/api-reference/images: generations take JSON,
// edits and variations a multipart form with the image files. Answers are whole JSON bodies relayed unchanged and
// billed from the images they hold (openai-images-usage.ts); each model's limits are checked before the call.

/** Largest upload OpenAI takes for any image model (gpt-image-1: 50 MB); dall-e-2's 4 MB is checked per model. */
const MAX_IMAGE_FILE_BYTES = 50 * 1024 * 1024

/** Usage read from the whole JSON answer and the request that asked for it. */
function imageMedia(request: MediaSpec['request'], files: FormFileRule[] = []): MediaSpec {
  return {
    request,
    files,
    response: 'whole',
    readUsage(answer, body) {
      if (answer.text === undefined) return undefined
      try {
        return readOpenAIImageUsage(imageFieldsOf(body), JSON.parse(answer.text))
      } catch {
        return undefined
      }
    },
  }
}

/**
 * What the three image codecs share: OpenAI auth and errors, no streams. The reads take the fields all three schemas
 * type alike (ImageRequestFields), so each codec is typed by its own schema.
 */
function imageCodec<S extends TSchema>(
  operation: ImageOperation,
  parts: { requestSchema: S; media: MediaSpec },
): DialectCodec<ImageRequestFields> & { requestSchema: S } {
  const dialect = `openai.images.${operation}`
  return {
    ...parts,
    dialect,
    endpoint: 'image',
    routes: [{ method: 'POST', path: `/v1/images/${operation}` }],
    readKey: readOpenAIKey,
    readModel: imageModelOf,
    readStream: () => false,
    readMaxOutputTokens: imageOutputCeiling,
    prepareUpstreamBody: (body, model) => ({ body: { ...body, model } }),
    estimatePrompt(body) {
      checkImageRequest(operation, body)
      return estimateImagePrompt(body)
    },
    readUpstreamError: readOpenAIUpstreamError,
    renderError: renderOpenAIError,
    renderStreamError: renderOpenAIStreamError,
  }
}

/** An image upload: PNG, JPEG, WebP (or GIF) recognised from its bytes, at most 50 MB. */
const imageFile = (field: string, required: boolean, maxCount: number, aliases?: string[]): FormFileRule => ({
  field,
  required,
  maxCount,
  kind: 'image',
  maxBytes: MAX_IMAGE_FILE_BYTES,
  ...(aliases ? { aliases } : {}),
})

/** `POST /v1/images/generations` (JSON). */
export const openAIImageGenerationsDialect: TypedDialectCodec<typeof OpenAIImageGenerationRequest> = imageCodec('generations', {
  requestSchema: OpenAIImageGenerationRequest,
  media: imageMedia('json'),
})

/** `POST /v1/images/edits` (multipart: `image` or `image[]`, up to 16 for gpt-image-1, and an optional `mask`). */
export const openAIImageEditsDialect: TypedDialectCodec<typeof OpenAIImageEditFields> = imageCodec('edits', {
  requestSchema: OpenAIImageEditFields,
  media: imageMedia('multipart', [imageFile('image', true, 16, ['image[]']), imageFile('mask', false, 1)]),
})

/** `POST /v1/images/variations` (multipart: one `image`). */
export const openAIImageVariationsDialect: TypedDialectCodec<typeof OpenAIImageVariationFields> = imageCodec('variations', {
  requestSchema: OpenAIImageVariationFields,
  media: imageMedia('multipart', [imageFile('image', true, 1)]),
})

/** The image dialects, as the OpenAI and Azure transports list them. */
export const openAIImageDialects: DialectCodec[] = [openAIImageGenerationsDialect, openAIImageEditsDialect, openAIImageVariationsDialect]
