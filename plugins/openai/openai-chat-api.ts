import type { OpenAIUsage } from '../../schemas/openai-chat.ts'

// Wire types of OpenAI Chat Completions as the converters read and write them. The request schema
// (schemas/openai-chat.ts) validates what clients send; these types describe every field we map.
// see https://platform.openai.com/docs/api-reference/chat/create
// see https://platform.openai.com/docs/api-reference/chat/object
// see https://platform.openai.com/docs/api-reference/chat-streaming/streaming

/** A content part of a chat message. */
export type OpenAIChatPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'file'; file: { file_data?: string; file_id?: string; filename?: string } }
  | { type: 'refusal'; refusal: string }

/** A tool call as an assistant message carries it. */
export interface OpenAIChatToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** One message of a chat request. */
export interface OpenAIChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'
  content?: string | OpenAIChatPart[] | null
  name?: string
  tool_calls?: OpenAIChatToolCall[]
  tool_call_id?: string
  /** Legacy single function call of an assistant message. */
  function_call?: { name: string; arguments: string } | null
  /** DeepSeek-style reasoning text on assistant messages. */
  reasoning_content?: string | null
  refusal?: string | null
}

/** A function tool definition. */
export interface OpenAIChatFunctionTool {
  type: 'function'
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null }
}

/** `response_format` of a chat request. */
export type OpenAIChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string } }

/** The assistant message of a completed choice. */
export interface OpenAIChatResponseMessage {
  role: 'assistant'
  content: string | null
  refusal?: string | null
  tool_calls?: OpenAIChatToolCall[]
  function_call?: { name: string; arguments: string } | null
  reasoning_content?: string | null
  reasoning?: string | null
}

/** A `chat.completion` object. */
export interface OpenAIChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{ index: number; message: OpenAIChatResponseMessage; logprobs: unknown; finish_reason: string | null }>
  usage?: OpenAIUsage | null
  error?: { message?: string; code?: string | null } | null
}

/** The stream chunk types, defined once by the schema the decoder checks chunks against. */
export type { OpenAIChatChunk, OpenAIChatChunkDelta, OpenAIChatChunkToolCall } from '../../schemas/openai-stream-chunks.ts'
