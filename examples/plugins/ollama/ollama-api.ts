// Ollama's native chat API (`POST /api/chat`, `GET /api/tags`), as its public API reference describes it.
// Not OpenAI's shape: tool-call arguments are JSON objects, tool results name the tool, the stream is
// newline-delimited JSON, and usage is two counters on the final message.

/** A tool call as Ollama writes it: the arguments are an object, never a JSON string. */
export interface OllamaToolCall {
  function: { name: string; arguments: Record<string, unknown>; index?: number }
}

/** One message of a request or an answer. */
export interface OllamaMessage {
  /** `system`, `user`, `assistant` or `tool`. */
  role: 'system' | 'user' | 'assistant' | 'tool'
  /** The text. */
  content: string
  /** Images as base64 strings (no data: prefix), on user messages. */
  images?: string[]
  /** The model's reasoning, for thinking models (answers, and assistant turns sent back). */
  thinking?: string
  /** Tool calls of an assistant message. */
  tool_calls?: OllamaToolCall[]
  /** On a `tool` message: the tool whose result this is. */
  tool_name?: string
}

/** Sampling and length options (`options` in the body). */
export interface OllamaOptions {
  temperature?: number
  top_p?: number
  top_k?: number
  /** Maximum tokens to generate. */
  num_predict?: number
  stop?: string[]
  seed?: number
  presence_penalty?: number
  frequency_penalty?: number
}

/** The body of `POST /api/chat`. */
export interface OllamaChatRequest {
  model: string
  messages: OllamaMessage[]
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters: Record<string, unknown> } }>
  stream: boolean
  /** `json` or a JSON schema for structured output. */
  format?: 'json' | Record<string, unknown>
  options?: OllamaOptions
  /** Thinking on or off for thinking models (some take `low`/`medium`/`high`). */
  think?: boolean | 'low' | 'medium' | 'high'
  /** How long the model stays loaded after the call, e.g. `5m`. */
  keep_alive?: string
}

/** A complete answer, and each line of a stream (the last one has `done: true` and the counters). */
export interface OllamaChatResponse {
  model?: string
  created_at?: string
  message?: { role?: string; content?: string; thinking?: string; tool_calls?: OllamaToolCall[] }
  done?: boolean
  /** Why generation stopped: `stop`, `length`, `load`, `unload`. */
  done_reason?: string
  total_duration?: number
  load_duration?: number
  /** Input tokens evaluated. */
  prompt_eval_count?: number
  prompt_eval_duration?: number
  /** Output tokens generated. */
  eval_count?: number
  eval_duration?: number
  /** A failure reported inside a stream. */
  error?: string
}

/** `GET /api/tags`: the models pulled on the server. */
export interface OllamaTags {
  models?: Array<{ name?: string; model?: string; size?: number; details?: { family?: string; families?: string[] | null } }>
}
