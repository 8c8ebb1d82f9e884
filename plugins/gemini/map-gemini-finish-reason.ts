import type { FinishReason } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/generate-content#FinishReason and #BlockReason
// Gemini says STOP both for a plain answer and for one that ends in function calls, so the caller
// tells us whether the candidate held a functionCall part. Malformed or unexpected tool calls are the
// model's failure rather than a filter, so they are `other` (the raw value is kept by the caller).

const hubByGemini: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  IMAGE_PROHIBITED_CONTENT: 'content-filter',
  IMAGE_RECITATION: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'other',
  UNEXPECTED_TOOL_CALL: 'other',
  TOO_MANY_TOOL_CALLS: 'other',
  LANGUAGE: 'other',
  OTHER: 'other',
}

/** A candidate's `finishReason` in hub terms; STOP after function calls is `tool-calls`. */
export function mapGeminiFinishReason(raw: string | undefined, hasFunctionCall: boolean): FinishReason {
  const reason = (raw ? hubByGemini[raw] : undefined) ?? 'other'
  return reason === 'stop' && hasFunctionCall ? 'tool-calls' : reason
}

/** Every prompt-level `blockReason` (SAFETY, OTHER, BLOCKLIST, PROHIBITED_CONTENT, IMAGE_SAFETY) is a content filter. */
export function mapGeminiBlockReason(_raw: string): FinishReason {
  return 'content-filter'
}

const geminiByHub: Record<FinishReason, string> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  'tool-calls': 'STOP',
  'content-filter': 'SAFETY',
  error: 'OTHER',
  other: 'OTHER',
}

/**
 * A hub finish reason as Gemini's `finishReason`. When the hub kept a raw Gemini value that means the
 * same thing (RECITATION, PROHIBITED_CONTENT, MALFORMED_FUNCTION_CALL, …), that value is kept.
 */
export function toGeminiFinishReason(reason: FinishReason, raw?: string): string {
  if (raw !== undefined && raw in hubByGemini && mapGeminiFinishReason(raw, reason === 'tool-calls') === reason) return raw
  return geminiByHub[reason]
}
