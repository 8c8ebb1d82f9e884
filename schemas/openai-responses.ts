import { Type, type Static } from '@sinclair/typebox'

// see https://platform.openai.com/docs/api-reference/responses/create
// see https://platform.openai.com/docs/api-reference/responses/object
// see https://platform.openai.com/docs/api-reference/responses-streaming
// Request schemas validate what the gateway relies on and accept every other field (and unknown
// item, part and tool types), so new Responses API features pass through without a gateway release.

const open = { additionalProperties: true } as const
const nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))

/** A content part of an input message: `input_text`, `input_image`, `input_file`, `output_text` (assistant history), … */
export const OpenAIResponsesContentPart = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    text: Type.Optional(Type.String()),
    image_url: nullable(Type.String()),
    file_id: nullable(Type.String()),
    file_data: Type.Optional(Type.String()),
    file_url: Type.Optional(Type.String()),
    filename: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
  },
  open,
)

/** A message item; `type: 'message'` may be left out (an "easy" input message). */
export const OpenAIResponsesMessageItem = Type.Object(
  {
    type: Type.Optional(Type.Literal('message')),
    role: Type.Union(['user', 'assistant', 'system', 'developer'].map((role) => Type.Literal(role))),
    content: Type.Union([Type.String(), Type.Array(OpenAIResponsesContentPart)]),
  },
  open,
)

/** A function call the model made earlier. */
export const OpenAIResponsesFunctionCallItem = Type.Object(
  {
    type: Type.Literal('function_call'),
    call_id: Type.String(),
    name: Type.String(),
    arguments: Type.String(),
  },
  open,
)

/** The output of a function call, sent back to the model. */
export const OpenAIResponsesFunctionCallOutputItem = Type.Object(
  {
    type: Type.Literal('function_call_output'),
    call_id: Type.String(),
    output: Type.Union([Type.String(), Type.Array(OpenAIResponsesContentPart)]),
  },
  open,
)

/** A reasoning item of an earlier answer. */
export const OpenAIResponsesReasoningItem = Type.Object(
  {
    type: Type.Literal('reasoning'),
    id: Type.Optional(Type.String()),
    summary: Type.Array(Type.Object({ type: Type.String(), text: Type.String() }, open)),
    encrypted_content: nullable(Type.String()),
  },
  open,
)

/** Any other item type (`item_reference`, built-in tool calls, …), left to the upstream. */
export const OpenAIResponsesOtherItem = Type.Object({ type: Type.String({ minLength: 1 }) }, open)

/** One input item. */
export const OpenAIResponsesInputItem = Type.Union([
  OpenAIResponsesMessageItem,
  OpenAIResponsesFunctionCallItem,
  OpenAIResponsesFunctionCallOutputItem,
  OpenAIResponsesReasoningItem,
  OpenAIResponsesOtherItem,
])

/** A tool: a function, or a built-in tool type (`web_search`, `file_search`, `mcp`, …) passed through. */
export const OpenAIResponsesTool = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String({ minLength: 1 })),
    description: nullable(Type.String()),
    parameters: nullable(Type.Object({}, open)),
    strict: nullable(Type.Boolean()),
  },
  open,
)

/** `text.format`: plain text, JSON mode, or a JSON schema. */
export const OpenAIResponsesTextFormat = Type.Object(
  {
    type: Type.Union([Type.Literal('text'), Type.Literal('json_object'), Type.Literal('json_schema')]),
    name: Type.Optional(Type.String()),
    schema: Type.Optional(Type.Object({}, open)),
    strict: nullable(Type.Boolean()),
    description: Type.Optional(Type.String()),
  },
  open,
)

/** POST /v1/responses request body. */
export const OpenAIResponsesRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    input: Type.Optional(Type.Union([Type.String(), Type.Array(OpenAIResponsesInputItem)])),
    instructions: nullable(Type.String()),
    tools: Type.Optional(Type.Array(OpenAIResponsesTool)),
    tool_choice: Type.Optional(Type.Union([Type.String(), Type.Object({ type: Type.String() }, open)])),
    parallel_tool_calls: nullable(Type.Boolean()),
    max_output_tokens: nullable(Type.Integer({ minimum: 1 })),
    temperature: nullable(Type.Number({ minimum: 0, maximum: 2 })),
    top_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
    reasoning: nullable(Type.Object({ effort: nullable(Type.String()), summary: nullable(Type.String()) }, open)),
    text: Type.Optional(Type.Object({ format: Type.Optional(OpenAIResponsesTextFormat) }, open)),
    stream: nullable(Type.Boolean()),
    store: nullable(Type.Boolean()),
    previous_response_id: nullable(Type.String()),
    metadata: nullable(Type.Record(Type.String(), Type.String())),
    user: Type.Optional(Type.String()),
  },
  open,
)

/** The typed Responses request. */
export type OpenAIResponsesRequest = Static<typeof OpenAIResponsesRequest>

/** Usage of a response: cached tokens inside input, reasoning tokens inside output. */
export interface OpenAIResponsesUsage {
  input_tokens?: number
  input_tokens_details?: { cached_tokens?: number } | null
  output_tokens?: number
  output_tokens_details?: { reasoning_tokens?: number } | null
  total_tokens?: number
}

/** A content part of an output message. */
export type OpenAIResponsesOutputContent =
  | { type: 'output_text'; text: string; annotations?: unknown[]; logprobs?: unknown[] }
  | { type: 'refusal'; refusal: string }

/** An item of a response's `output`. */
export type OpenAIResponsesOutputItem =
  | { type: 'message'; id: string; role: 'assistant'; status: string; content: OpenAIResponsesOutputContent[] }
  | { type: 'function_call'; id?: string; call_id: string; name: string; arguments: string; status?: string }
  | {
      type: 'reasoning'
      id: string
      summary: Array<{ type: 'summary_text'; text: string }>
      encrypted_content?: string | null
      content?: Array<{ type: string; text: string }>
    }
  | { type: string; id?: string; [field: string]: unknown }

/** A `response` object as the API returns it (only the fields the gateway reads are typed). */
export interface OpenAIResponsesResponse {
  id: string
  object: 'response'
  created_at: number
  status: 'completed' | 'incomplete' | 'failed' | 'in_progress' | 'queued' | 'cancelled'
  model: string
  output: OpenAIResponsesOutputItem[]
  usage?: OpenAIResponsesUsage | null
  incomplete_details?: { reason?: string } | null
  error?: { code?: string; message?: string } | null
  [field: string]: unknown
}

/** The `response` inside a stream event (created, in_progress, completed, incomplete, failed), as the decoder reads it. */
export const OpenAIResponsesStreamResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    created_at: Type.Optional(Type.Number()),
    status: Type.Optional(Type.String()),
    output: Type.Optional(Type.Array(Type.Object({ type: Type.String() }, open))),
    // The counts are read leniently (convertOpenAIResponsesUsage); only the shape is fixed.
    usage: nullable(Type.Object({}, open)),
    incomplete_details: nullable(Type.Object({ reason: Type.Optional(Type.String()) }, open)),
    error: nullable(Type.Object({ code: nullable(Type.String()), message: Type.Optional(Type.String()) }, open)),
  },
  open,
)

/** An output item as stream events carry it (output_item.added / done): a function call's or a reasoning item's members. */
export const OpenAIResponsesStreamItem = Type.Object(
  {
    type: Type.String(),
    id: Type.Optional(Type.String()),
    call_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    arguments: Type.Optional(Type.String()),
    encrypted_content: nullable(Type.String()),
  },
  open,
)

/**
 * One streamed event; `type` names it and is repeated as the SSE `event:` field. Only the members the
 * decoder reads are typed (see https://platform.openai.com/docs/api-reference/responses-streaming).
 */
export const OpenAIResponsesStreamEvent = Type.Object(
  {
    type: Type.Optional(Type.String()),
    response: Type.Optional(OpenAIResponsesStreamResponse),
    item: Type.Optional(OpenAIResponsesStreamItem),
    output_index: Type.Optional(Type.Integer()),
    summary_index: Type.Optional(Type.Integer()),
    delta: Type.Optional(Type.String()),
    code: nullable(Type.String()),
    message: Type.Optional(Type.String()),
    error: nullable(Type.Object({ code: nullable(Type.String()), message: Type.Optional(Type.String()) }, open)),
  },
  open,
)

/** A typed stream event. */
export type OpenAIResponsesStreamEvent = Static<typeof OpenAIResponsesStreamEvent>
/** A typed `response` of a stream event. */
export type OpenAIResponsesStreamResponse = Static<typeof OpenAIResponsesStreamResponse>
