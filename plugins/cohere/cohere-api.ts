// The Cohere v2 chat wire types the plugin reads and writes.
// see https://docs.cohere.com/reference/chat and https://docs.cohere.com/reference/chat-stream

/** One content block of an answer: text, or the model's thinking on reasoning models. */
export type CohereContent = { type: 'text'; text: string } | { type: 'thinking'; thinking: string }

/** A tool call as Cohere writes it (OpenAI's shape). */
export interface CohereToolCall {
  id?: string
  type?: 'function'
  function?: { name?: string; arguments?: string }
}

/** Cohere's usage: what it billed (with non-token units such as search units) and the raw token counts. */
export interface CohereUsage {
  billed_units?: { input_tokens?: number; output_tokens?: number; search_units?: number; classifications?: number }
  tokens?: { input_tokens?: number; output_tokens?: number }
}

/** A complete chat answer; note that it names no model. */
export interface CohereChatResponse {
  id?: string
  finish_reason?: string
  message?: { role?: string; content?: CohereContent[]; tool_calls?: CohereToolCall[]; tool_plan?: string }
  usage?: CohereUsage
}

/** One message of a chat request. */
export type CohereMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }> }
  | { role: 'assistant'; content?: string; tool_calls?: CohereToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string }
