import { Type, type Static } from '@sinclair/typebox'

// see https://platform.openai.com/docs/api-reference/completions/create

const open = { additionalProperties: true } as const

/** A legacy prompt: text, texts, token ids, or lists of token ids. */
export const OpenAIPrompt = Type.Union([Type.String(), Type.Array(Type.String()), Type.Array(Type.Integer()), Type.Array(Type.Array(Type.Integer()))])

/** POST /v1/completions request body. */
export const OpenAICompletionsRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    prompt: OpenAIPrompt,
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, open), Type.Null()])),
    max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    n: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 128 }), Type.Null()])),
    best_of: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
  },
  open,
)

/** The typed completions request. */
export type OpenAICompletionsRequest = Static<typeof OpenAICompletionsRequest>
