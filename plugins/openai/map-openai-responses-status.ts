import type { FinishReason } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/responses/object#responses/object-status
// A Responses answer has no finish reason: `status` plus `incomplete_details.reason` say why it
// stopped, and a completed answer that called functions is the hub's `tool-calls`.

/** Why a response stopped, in hub terms, with the raw wording kept for logs. */
export function mapOpenAIResponsesStatus(
  status: string | undefined,
  incompleteReason: string | undefined,
  calledFunctions: boolean,
): { reason: FinishReason; raw?: string } {
  if (status === 'completed') return { reason: calledFunctions ? 'tool-calls' : 'stop', raw: status }
  if (status === 'incomplete') {
    if (incompleteReason === 'max_output_tokens') return { reason: 'length', raw: incompleteReason }
    if (incompleteReason === 'content_filter') return { reason: 'content-filter', raw: incompleteReason }
    return { reason: 'other', raw: incompleteReason ?? status }
  }
  if (status === 'failed') return { reason: 'error', raw: status }
  return { reason: 'other', raw: status }
}

/** The status fields of a response that stopped for this hub reason. */
export function toOpenAIResponsesStatus(reason: FinishReason): {
  status: 'completed' | 'incomplete' | 'failed'
  incomplete_details: { reason: string } | null
} {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
  if (reason === 'content-filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }
  if (reason === 'error') return { status: 'failed', incomplete_details: null }
  return { status: 'completed', incomplete_details: null }
}
