import type { FinishReason } from '@hanggent/plugin-sdk'
import type { ClaudeStopReason } from './claude-api.ts'

// see https://docs.claude.com/en/api/handling-stop-reasons
// `pause_turn` (a server tool paused a long turn) has no hub equivalent: `other`, with the raw
// value kept by the caller. `model_context_window_exceeded` (Sonnet 4.5 and later) is a length stop.

const hubByClaude: Record<ClaudeStopReason, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
}

const claudeByHub: Record<FinishReason, ClaudeStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  // Anthropic has no value for these; SDKs type stop_reason as a closed set, so `end_turn` is the safe word.
  error: 'end_turn',
  other: 'end_turn',
}

/** An Anthropic `stop_reason` in hub terms; unknown or missing values are `other`. */
export function mapClaudeStopReason(raw: string | null | undefined): FinishReason {
  return raw && Object.hasOwn(hubByClaude, raw) ? hubByClaude[raw as ClaudeStopReason] : 'other'
}

/**
 * A hub finish reason as an Anthropic `stop_reason`. When the raw reason is already an Anthropic
 * value that means the same thing (e.g. `stop_sequence` for `stop`, `pause_turn` for `other`), it is kept.
 */
export function toClaudeStopReason(reason: FinishReason, raw?: string): ClaudeStopReason {
  if (raw !== undefined && Object.hasOwn(hubByClaude, raw) && hubByClaude[raw as ClaudeStopReason] === reason) return raw as ClaudeStopReason
  return claudeByHub[reason]
}
