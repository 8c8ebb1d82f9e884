import { Type, type Static } from '@sinclair/typebox'
import { OpenAIPrompt } from './openai-completions.ts'

// see https://platform.openai.com/docs/api-reference/embeddings/create

/** POST /v1/embeddings request body. */
export const OpenAIEmbeddingsRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    input: OpenAIPrompt,
    encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
    dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
    user: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)

/** The typed embeddings request. */
export type OpenAIEmbeddingsRequest = Static<typeof OpenAIEmbeddingsRequest>
