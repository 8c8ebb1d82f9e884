// Quillon Inference's wire types: OpenAI's chat completions shape, with Quillon's own usage member and
// model catalog. Quillon is a fictional vendor (see README.md); its quirks are ones real vendors have.

/** A tool call in an answer or in an assistant message sent back (OpenAI's shape). */
export interface QuillonToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** One message of a request. */
export type QuillonMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | QuillonUserPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: QuillonToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string }

/** A part of a user message: text or an image by URL (data URLs accepted). */
export type QuillonUserPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }

/**
 * Quillon's usage: not in `usage` as OpenAI puts it, but in `x_usage`, with input counted whole and the
 * part read from Quillon's prompt cache beside it. In streams it rides on the chunk that carries the finish reason.
 */
export interface QuillonUsage {
  /** All input tokens, the cached ones included. */
  input_tokens?: number
  /** Output tokens. */
  output_tokens?: number
  /** The part of `input_tokens` read from Quillon's prompt cache. */
  cached_input_tokens?: number
}

/** A complete chat answer. */
export interface QuillonChatResponse {
  id?: string
  object?: string
  created?: number
  model?: string
  choices?: Array<{ index?: number; message?: { role?: string; content?: string | null; tool_calls?: QuillonToolCall[] }; finish_reason?: string | null }>
  x_usage?: QuillonUsage
}

/** One streamed chunk; tool calls arrive in pieces keyed by their index. */
export interface QuillonChatChunk {
  id?: string
  created?: number
  model?: string
  choices?: Array<{
    index?: number
    delta?: {
      role?: string
      content?: string | null
      tool_calls?: Array<{ index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }>
    }
    finish_reason?: string | null
  }>
  x_usage?: QuillonUsage
}

/** One page of `GET /v1/catalog`: Quillon's own model list, not OpenAI's `/v1/models`. */
export interface QuillonCatalogPage {
  /** The page's models: `slug` is the id calls name, `kind` is `chat` or `embedding`. */
  models?: Array<{ slug?: string; kind?: string; context_window?: number }>
  /** The token of the next page; null or absent on the last. */
  next_page_token?: string | null
}
