import { Type, type Static } from '@sinclair/typebox'

// see https://platform.openai.com/docs/api-reference/images (create, createEdit, createVariation): the JSON body of
// generations, and the text fields of the multipart edits and variations forms. Sizes, qualities and `n` depend on
// the model, so they are checked per model (plugins/openai/openai-image-models.ts), not here.

const ResponseFormat = Type.Union([Type.Literal('url'), Type.Literal('b64_json')])
const OutputFormat = Type.Union([Type.Literal('png'), Type.Literal('jpeg'), Type.Literal('webp')])
const Background = Type.Union([Type.Literal('transparent'), Type.Literal('opaque'), Type.Literal('auto')])

/** An integer in a JSON body, or its digits in a multipart text field. */
const IntegerField = (minimum: number, maximum: number) =>
  Type.Union([Type.Integer({ minimum, maximum }), Type.String({ pattern: '^[0-9]{1,6}$' })], { description: `an integer from ${minimum} to ${maximum}` })

/** Fields every image request may carry. */
const common = {
  model: Type.Optional(Type.String({ minLength: 1 })),
  n: Type.Optional(IntegerField(1, 10)),
  size: Type.Optional(Type.String({ minLength: 1 })),
  response_format: Type.Optional(ResponseFormat),
  user: Type.Optional(Type.String()),
  // Partial-image streaming (gpt-image-1 `stream: true`) is not relayed: the answer is billed from the whole JSON.
  stream: Type.Optional(
    Type.Union([Type.Literal(false), Type.Literal('false')], { description: 'streamed image generation is not supported by this gateway' }),
  ),
}

/** Fields of generations and edits (gpt-image-1's output controls). */
const generative = {
  prompt: Type.String({ minLength: 1, maxLength: 32_000 }),
  quality: Type.Optional(Type.String({ minLength: 1 })),
  background: Type.Optional(Background),
  output_format: Type.Optional(OutputFormat),
  output_compression: Type.Optional(IntegerField(0, 100)),
}

/** POST /v1/images/generations request body. */
export const OpenAIImageGenerationRequest = Type.Object(
  {
    ...common,
    ...generative,
    style: Type.Optional(Type.Union([Type.Literal('vivid'), Type.Literal('natural')])),
    moderation: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('auto')])),
  },
  { additionalProperties: true },
)

/** The typed generations request. */
export type OpenAIImageGenerationRequest = Static<typeof OpenAIImageGenerationRequest>

/** The text fields of a POST /v1/images/edits form (the files `image`/`image[]` and `mask` are checked as files). */
export const OpenAIImageEditFields = Type.Object(
  { ...common, ...generative, input_fidelity: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('low')])) },
  { additionalProperties: false },
)

/** The typed edits form fields. */
export type OpenAIImageEditFields = Static<typeof OpenAIImageEditFields>

/** The text fields of a POST /v1/images/variations form (the file `image` is checked as a file). */
export const OpenAIImageVariationFields = Type.Object(common, { additionalProperties: false })

/** The typed variations form fields. */
export type OpenAIImageVariationFields = Static<typeof OpenAIImageVariationFields>
