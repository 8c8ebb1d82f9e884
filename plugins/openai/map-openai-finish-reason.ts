import type { FinishReason } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
// `function_call` is the deprecated spelling of `tool_calls`; anything else (vendor extensions such as
// DeepSeek's `insufficient_system_resource`) is `other`, with the raw value kept by the caller.

const hubByOpenAI: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
}

/** An OpenAI Chat `finish_reason` in hub terms. */
export function mapOpenAIFinishReason(raw: string | null | undefined): FinishReason {
  return (raw ? hubByOpenAI[raw] : undefined) ?? 'other'
}

/** The values OpenAI clients accept for `finish_reason`. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

const openAIByHub: Record<FinishReason, OpenAIFinishReason> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  // OpenAI has no value for these; SDKs type `finish_reason` as a closed set, so `stop` is the safe word.
  error: 'stop',
  other: 'stop',
}

/** A hub finish reason as an OpenAI Chat `finish_reason`. */
export function toOpenAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  return openAIByHub[reason]
}
