import { Type, type Static } from '@sinclair/typebox'

// see https://platform.openai.com/docs/api-reference/chat/create
// Request schemas validate what the gateway relies on and accept every other field, so new OpenAI
// parameters pass through without a gateway release.

const open = { additionalProperties: true } as const

/** A typed content part; `type` decides the shape, unknown part types are left to the upstream. */
export const OpenAIChatContentPart = Type.Object({ type: Type.String({ minLength: 1 }) }, open)

/** Message content: a string, an array of parts, or null (assistant messages with tool calls). */
export const OpenAIChatContent = Type.Union([Type.String(), Type.Array(OpenAIChatContentPart), Type.Null()])

/** A tool call an assistant message carries. */
export const OpenAIToolCall = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    function: Type.Object({ name: Type.String(), arguments: Type.String() }, open),
  },
  open,
)

/** One message of the conversation. */
export const OpenAIChatMessage = Type.Object(
  {
    role: Type.Union(['system', 'developer', 'user', 'assistant', 'tool', 'function'].map((role) => Type.Literal(role))),
    content: Type.Optional(OpenAIChatContent),
    name: Type.Optional(Type.String()),
    tool_calls: Type.Optional(Type.Array(OpenAIToolCall)),
    tool_call_id: Type.Optional(Type.String()),
  },
  open,
)

/** A function tool definition. */
export const OpenAIChatTool = Type.Object(
  {
    type: Type.String(),
    function: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          description: Type.Optional(Type.String()),
          parameters: Type.Optional(Type.Object({}, open)),
          strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
        },
        open,
      ),
    ),
  },
  open,
)

/** POST /v1/chat/completions request body. */
export const OpenAIChatRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    messages: Type.Array(OpenAIChatMessage, { minItems: 1 }),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, open), Type.Null()])),
    n: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 128 }), Type.Null()])),
    max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
    top_p: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
    tools: Type.Optional(Type.Array(OpenAIChatTool)),
    tool_choice: Type.Optional(Type.Union([Type.String(), Type.Object({}, open)])),
    response_format: Type.Optional(Type.Object({ type: Type.String() }, open)),
    stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 }), Type.Null()])),
    user: Type.Optional(Type.String()),
  },
  open,
)

/** The typed chat request. */
export type OpenAIChatRequest = Static<typeof OpenAIChatRequest>

/** OpenAI's usage object on chat, completions and embeddings responses. */
export interface OpenAIUsage {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null
}
