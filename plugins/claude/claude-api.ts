// Wire types of Anthropic's Messages API as the converters read and write them. The request schema
// (schemas/claude-messages.ts) validates what clients send; these types describe every field we map.
// see https://docs.claude.com/en/api/messages
// see https://docs.claude.com/en/docs/build-with-claude/streaming
// see https://docs.claude.com/en/api/errors

/** `cache_control` of a block or tool (`{type: 'ephemeral', ttl?}`), kept as sent. */
export type ClaudeCacheControl = Record<string, unknown>

/** Where an image or document comes from. */
export type ClaudeSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'text'; media_type: 'text/plain'; data: string }
  | { type: 'file'; file_id: string }
  | { type: 'content'; content: unknown }

/** A text block. */
export interface ClaudeTextBlock {
  type: 'text'
  text: string
  cache_control?: ClaudeCacheControl | null
  citations?: unknown
}

/** An image block. */
export interface ClaudeImageBlock {
  type: 'image'
  source: ClaudeSource
  cache_control?: ClaudeCacheControl | null
}

/** A document block. */
export interface ClaudeDocumentBlock {
  type: 'document'
  source: ClaudeSource
  title?: string | null
  context?: string | null
  citations?: unknown
  cache_control?: ClaudeCacheControl | null
}

/** A tool call. */
export interface ClaudeToolUseBlock {
  type: 'tool_use'
  id: string
  name: string
  input: unknown
  cache_control?: ClaudeCacheControl | null
}

/** The result of a tool call. */
export interface ClaudeToolResultBlock {
  type: 'tool_result'
  tool_use_id: string
  content?: string | ClaudeContentBlock[]
  is_error?: boolean
  cache_control?: ClaudeCacheControl | null
}

/** A thinking block with its signature. */
export interface ClaudeThinkingBlock {
  type: 'thinking'
  thinking: string
  signature: string
}

/** A redacted thinking block: opaque, encrypted data. */
export interface ClaudeRedactedThinkingBlock {
  type: 'redacted_thinking'
  data: string
}

/** One content block, in a request or a response. */
export type ClaudeContentBlock =
  | ClaudeTextBlock
  | ClaudeImageBlock
  | ClaudeDocumentBlock
  | ClaudeToolUseBlock
  | ClaudeToolResultBlock
  | ClaudeThinkingBlock
  | ClaudeRedactedThinkingBlock

/** A content block of a type the converters do not map (`server_tool_use`, `search_result`, …). */
export interface ClaudeUnknownBlock {
  type: string
  [field: string]: unknown
}

/** One turn of a request. */
export interface ClaudeMessageParam {
  role: 'user' | 'assistant'
  content: string | ClaudeContentBlock[]
}

/** A custom tool definition. */
export interface ClaudeCustomTool {
  name: string
  description?: string
  input_schema: Record<string, unknown>
  type?: 'custom'
  cache_control?: ClaudeCacheControl | null
}

/** `tool_choice` of a request. */
export type ClaudeToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' }

/** `thinking` of a request. */
export type ClaudeThinkingConfig = { type: 'enabled'; budget_tokens: number } | { type: 'disabled' }

/** Anthropic's usage object; input_tokens excludes cached tokens, which are reported beside it. */
export interface ClaudeUsage {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number } | null
  /** Thinking tokens inside output_tokens, reported by newer API versions. */
  output_tokens_details?: { thinking_tokens?: number | null } | null
  service_tier?: string | null
}

/** Why generation stopped. */
export type ClaudeStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded'

/** A complete message, as a non-stream answer and inside `message_start`. */
export interface ClaudeMessage {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: Array<ClaudeContentBlock | ClaudeUnknownBlock>
  stop_reason: ClaudeStopReason | null
  stop_sequence: string | null
  usage: ClaudeUsage
}

/** The error envelope, as an HTTP body and inside an `error` stream event. */
export interface ClaudeErrorBody {
  type: 'error'
  error: { type: string; message: string }
  request_id?: string
}

/** A delta of a `content_block_delta` event. */
export type ClaudeBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'citations_delta'; citation: unknown }

/** One event of a Messages stream; `type` repeats the SSE event name. */
export type ClaudeStreamEvent =
  | { type: 'message_start'; message: ClaudeMessage }
  | { type: 'content_block_start'; index: number; content_block: ClaudeContentBlock | ClaudeUnknownBlock }
  | { type: 'content_block_delta'; index: number; delta: ClaudeBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: ClaudeStopReason | null; stop_sequence: string | null }; usage: ClaudeUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } }
