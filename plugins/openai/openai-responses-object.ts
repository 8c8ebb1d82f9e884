import type { Usage } from '@hanggent/plugin-sdk'
import { toOpenAIResponsesUsage } from './convert-openai-responses-usage.ts'

// see https://platform.openai.com/docs/api-reference/responses/object
// The `response` object and its output items as the API returns them, every echo field included
// (with the API's defaults: the gateway answers from the hub, which does not keep the request's
// sampling settings), so the official SDKs parse answers and stream snapshots exactly as from OpenAI.

type Json = Record<string, unknown>

/** A reasoning output item with its summary. */
export function reasoningItem(id: string, summary: string): Json {
  return { id, type: 'reasoning', summary: summary === '' ? [] : [{ type: 'summary_text', text: summary }] }
}

/** An output_text content part. */
export function outputTextPart(text: string): Json {
  return { type: 'output_text', annotations: [], logprobs: [], text }
}

/** An assistant message output item. */
export function messageItem(id: string, status: string, text: string | undefined): Json {
  return { id, type: 'message', status, content: text === undefined ? [] : [outputTextPart(text)], role: 'assistant' }
}

/** A function_call output item. */
export function functionCallItem(id: string, status: string, callId: string, name: string, args: string): Json {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name }
}

/** What varies between responses; everything else is the API's default echo. */
export interface ResponseFields {
  id: string
  createdAt: number
  model: string
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed'
  output: Json[]
  usage?: Usage
  incompleteDetails?: { reason: string } | null
  error?: { code: string; message: string } | null
}

/** A full `response` object. */
export function buildOpenAIResponse(fields: ResponseFields): Json {
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    background: false,
    error: fields.error ?? null,
    incomplete_details: fields.incompleteDetails ?? null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: 'default',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: fields.usage ? toOpenAIResponsesUsage(fields.usage) : null,
    user: null,
    metadata: {},
  }
}
