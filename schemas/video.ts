import { Type, type Static } from '@sinclair/typebox'

// Video generation request bodies: OpenAI's Videos API (`POST /v1/videos`, JSON or multipart) and the
// generic `POST /v1/video/generations` New API exposes (its TaskSubmitReq / VideoRequest).
// see https://platform.openai.com/docs/api-reference/videos/create (model, prompt, seconds, size, input_reference)
// and New API docs/openapi/relay.json VideoRequest (model, prompt, image, duration, width, height, fps, seed, n, metadata)

/** Longest prompt accepted (OpenAI's limit for Sora prompts is far below the body limit; Kling's is 2,500 characters). */
export const VIDEO_PROMPT_MAX_LENGTH = 10_000

/** Largest reference image accepted, in bytes, whether uploaded as a file or sent as a data URL. */
export const VIDEO_REFERENCE_MAX_BYTES = 10 * 1024 * 1024

/** Longest video a request may ask for, in seconds (New API's MaxTaskDurationSeconds is an hour; no provider here goes past 20 s). */
export const VIDEO_MAX_SECONDS = 60

/** An image given by URL or data URL, as OpenAI's ImageInputReferenceParam. */
export const VideoImageReference = Type.Object(
  { image_url: Type.Optional(Type.String({ minLength: 1 })), file_id: Type.Optional(Type.String({ minLength: 1 })) },
  { additionalProperties: false },
)

/** POST /v1/videos JSON body (multipart bodies carry the same fields as strings, `input_reference` as a file). */
export const OpenAIVideoCreateRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    prompt: Type.String({ minLength: 1, maxLength: VIDEO_PROMPT_MAX_LENGTH, pattern: '\\S' }),
    seconds: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{1,4}$' }), Type.Integer({ minimum: 1 })])),
    size: Type.Optional(Type.String({ pattern: '^[0-9]{2,5}x[0-9]{2,5}$' })),
    input_reference: Type.Optional(Type.Union([VideoImageReference, Type.String({ minLength: 1 }), Type.Unknown()])),
  },
  { additionalProperties: true },
)

/** The typed create request. */
export type OpenAIVideoCreateRequest = Static<typeof OpenAIVideoCreateRequest>

/** POST /v1/video/generations body (New API's unified video request). */
export const VideoGenerationRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    prompt: Type.String({ minLength: 1, maxLength: VIDEO_PROMPT_MAX_LENGTH, pattern: '\\S' }),
    mode: Type.Optional(Type.String({ maxLength: 32 })),
    image: Type.Optional(Type.String({ minLength: 1 })),
    images: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 4 })),
    size: Type.Optional(Type.String({ pattern: '^[0-9]{2,5}x[0-9]{2,5}$' })),
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192 })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 8192 })),
    duration: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[0-9]{1,4}$' })])),
    seconds: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    fps: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    seed: Type.Optional(Type.Integer()),
    n: Type.Optional(Type.Literal(1)),
    response_format: Type.Optional(Type.String()),
    user: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()])),
  },
  { additionalProperties: true },
)

/** The typed generations request. */
export type VideoGenerationRequest = Static<typeof VideoGenerationRequest>
