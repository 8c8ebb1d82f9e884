import { Type, type Static } from '@sinclair/typebox'

// see https://docs.claude.com/en/api/messages (request body, content blocks)
// see https://docs.claude.com/en/docs/build-with-claude/prompt-caching (cache_control on blocks and tools)
// see https://docs.claude.com/en/docs/build-with-claude/extended-thinking (thinking, signatures)
// Request schemas validate what the gateway relies on and accept every other field (and unknown
// block, source and tool types), so new Messages API features pass through without a gateway release.

const open = { additionalProperties: true } as const

/** `cache_control` on a block, a system block or a tool: `{type: 'ephemeral', ttl?: '5m' | '1h'}`. */
export const ClaudeCacheControl = Type.Object({ type: Type.String({ minLength: 1 }), ttl: Type.Optional(Type.String()) }, open)

/** A text block. */
export const ClaudeTextBlock = Type.Object(
  {
    type: Type.Literal('text'),
    text: Type.String(),
    cache_control: Type.Optional(Type.Union([ClaudeCacheControl, Type.Null()])),
  },
  open,
)

/** Where an image or a document comes from: inline base64, a URL, plain text, or an uploaded file. */
export const ClaudeSource = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    media_type: Type.Optional(Type.String()),
    data: Type.Optional(Type.String()),
    url: Type.Optional(Type.String()),
    file_id: Type.Optional(Type.String()),
  },
  open,
)

/** An image block. */
export const ClaudeImageBlock = Type.Object({ type: Type.Literal('image'), source: ClaudeSource }, open)

/** A document block (PDF, plain text, …). */
export const ClaudeDocumentBlock = Type.Object(
  { type: Type.Literal('document'), source: ClaudeSource, title: Type.Optional(Type.Union([Type.String(), Type.Null()])) },
  open,
)

/** A tool call in assistant history. */
export const ClaudeToolUseBlock = Type.Object(
  {
    type: Type.Literal('tool_use'),
    id: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    input: Type.Unknown(),
  },
  open,
)

/** A block any other type (`search_result`, `server_tool_use`, …), left to the upstream. */
export const ClaudeOtherBlock = Type.Object({ type: Type.String({ minLength: 1 }) }, open)

/** The result of a tool call, sent back in a user message. */
export const ClaudeToolResultBlock = Type.Object(
  {
    type: Type.Literal('tool_result'),
    tool_use_id: Type.String({ minLength: 1 }),
    content: Type.Optional(Type.Union([Type.String(), Type.Array(ClaudeOtherBlock)])),
    is_error: Type.Optional(Type.Boolean()),
  },
  open,
)

/** A thinking block of an earlier answer, with the signature Anthropic checks. */
export const ClaudeThinkingBlock = Type.Object({ type: Type.Literal('thinking'), thinking: Type.String(), signature: Type.String() }, open)

/** A redacted (encrypted) thinking block of an earlier answer. */
export const ClaudeRedactedThinkingBlock = Type.Object({ type: Type.Literal('redacted_thinking'), data: Type.String() }, open)

/** One content block of a message. */
export const ClaudeContentBlock = Type.Union([
  ClaudeTextBlock,
  ClaudeImageBlock,
  ClaudeDocumentBlock,
  ClaudeToolUseBlock,
  ClaudeToolResultBlock,
  ClaudeThinkingBlock,
  ClaudeRedactedThinkingBlock,
  ClaudeOtherBlock,
])

/** One turn of the conversation; Anthropic has only these two roles (the system prompt is a field). */
export const ClaudeMessageParam = Type.Object(
  {
    role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.Union([Type.String(), Type.Array(ClaudeContentBlock)]),
  },
  open,
)

/** A tool: a custom tool with an input schema, or a server/client tool by `type` (`web_search_20250305`, `bash_20250124`, …). */
export const ClaudeTool = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    description: Type.Optional(Type.String()),
    input_schema: Type.Optional(Type.Object({}, open)),
    cache_control: Type.Optional(Type.Union([ClaudeCacheControl, Type.Null()])),
  },
  open,
)

/** How the model may use tools. */
export const ClaudeToolChoice = Type.Object(
  {
    type: Type.Union([Type.Literal('auto'), Type.Literal('any'), Type.Literal('tool'), Type.Literal('none')]),
    name: Type.Optional(Type.String()),
    disable_parallel_tool_use: Type.Optional(Type.Boolean()),
  },
  open,
)

/** Extended thinking: on with a token budget, or off; other kinds are left to the upstream. */
export const ClaudeThinkingConfig = Type.Union([
  Type.Object({ type: Type.Literal('enabled'), budget_tokens: Type.Integer({ minimum: 1 }) }, open),
  Type.Object({ type: Type.Literal('disabled') }, open),
  Type.Object({ type: Type.String({ minLength: 1 }) }, open),
])

/** POST /v1/messages request body. */
export const ClaudeMessagesRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    messages: Type.Array(ClaudeMessageParam, { minItems: 1 }),
    max_tokens: Type.Integer({ minimum: 1 }),
    system: Type.Optional(Type.Union([Type.String(), Type.Array(ClaudeTextBlock)])),
    stream: Type.Optional(Type.Boolean()),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    top_k: Type.Optional(Type.Integer({ minimum: 0 })),
    stop_sequences: Type.Optional(Type.Array(Type.String())),
    tools: Type.Optional(Type.Array(ClaudeTool)),
    tool_choice: Type.Optional(ClaudeToolChoice),
    thinking: Type.Optional(ClaudeThinkingConfig),
    metadata: Type.Optional(Type.Object({ user_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) }, open)),
  },
  open,
)

/** The typed Messages request. */
export type ClaudeMessagesRequest = Static<typeof ClaudeMessagesRequest>

/** POST /v1/messages/count_tokens request body: a Messages request without `max_tokens`. */
export const ClaudeCountTokensRequest = Type.Omit(ClaudeMessagesRequest, ['max_tokens'])
