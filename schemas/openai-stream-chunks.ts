import { type Static, Type } from '@sinclair/typebox'

// see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
// and https://platform.openai.com/docs/api-reference/completions/object
// The chunks of a Chat Completions and a legacy Completions stream, as the decoders read them. Only the
// members a decoder reads are typed; everything else (logprobs, system_fingerprint, a vendor's extras) is
// allowed. Compatible vendors send `null` for many optional members, so those accept null too.

const open = { additionalProperties: true } as const
const nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))

/** Usage as a stream's last chunk carries it; the counts are read leniently (convertOpenAIUsage), so only its shape is fixed. */
export const OpenAIStreamUsage = Type.Object({}, open)

/** An error a vendor sends inside the stream instead of a chunk. */
export const OpenAIStreamError = Type.Object(
  { message: Type.Optional(Type.Unknown()), code: Type.Optional(Type.Unknown()), type: Type.Optional(Type.Unknown()) },
  open,
)

/** A tool call fragment of a chat chunk: the first carries the id and name, later ones argument text. */
export const OpenAIChatChunkToolCall = Type.Object(
  {
    index: Type.Optional(Type.Integer()),
    id: nullable(Type.String()),
    type: nullable(Type.String()),
    function: nullable(Type.Object({ name: nullable(Type.String()), arguments: nullable(Type.String()) }, open)),
  },
  open,
)

/** The delta of one choice in a chat chunk. */
export const OpenAIChatChunkDelta = Type.Object(
  {
    role: nullable(Type.String()),
    content: nullable(Type.String()),
    reasoning_content: nullable(Type.String()),
    reasoning: nullable(Type.String()),
    refusal: nullable(Type.String()),
    tool_calls: nullable(Type.Array(OpenAIChatChunkToolCall)),
    function_call: nullable(Type.Object({ name: nullable(Type.String()), arguments: nullable(Type.String()) }, open)),
  },
  open,
)

/** A `chat.completion.chunk` (or an error sent inside the stream). */
export const OpenAIChatChunk = Type.Object(
  {
    id: nullable(Type.String()),
    model: nullable(Type.String()),
    created: nullable(Type.Number()),
    choices: nullable(
      Type.Array(Type.Object({ index: Type.Optional(Type.Integer()), delta: nullable(OpenAIChatChunkDelta), finish_reason: nullable(Type.String()) }, open)),
    ),
    usage: nullable(OpenAIStreamUsage),
    error: nullable(OpenAIStreamError),
  },
  open,
)

/** A legacy `text_completion` chunk (or an error sent inside the stream). */
export const OpenAICompletionChunk = Type.Object(
  {
    id: nullable(Type.String()),
    model: nullable(Type.String()),
    created: nullable(Type.Number()),
    choices: nullable(
      Type.Array(Type.Object({ text: nullable(Type.String()), index: Type.Optional(Type.Integer()), finish_reason: nullable(Type.String()) }, open)),
    ),
    usage: nullable(OpenAIStreamUsage),
    error: nullable(OpenAIStreamError),
  },
  open,
)

/** A typed chat chunk. */
export type OpenAIChatChunk = Static<typeof OpenAIChatChunk>
/** A typed chat chunk delta. */
export type OpenAIChatChunkDelta = Static<typeof OpenAIChatChunkDelta>
/** A typed tool call fragment. */
export type OpenAIChatChunkToolCall = Static<typeof OpenAIChatChunkToolCall>
/** A typed legacy completion chunk. */
export type OpenAICompletionChunk = Static<typeof OpenAICompletionChunk>
