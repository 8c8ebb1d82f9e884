import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent } from '@hanggent/plugin-sdk'
import type { HubStreamDecoder } from '@hanggent/plugin-sdk'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { OpenAIResponsesStreamEvent, type OpenAIResponsesStreamResponse } from '../../schemas/openai-responses.ts'
import { convertOpenAIResponsesUsage } from './convert-openai-responses-usage.ts'
import { reasoningItemSignature } from './convert-openai-responses-result.ts'
import { mapOpenAIResponsesStatus } from './map-openai-responses-status.ts'
import { createdSeconds } from './response-identity.ts'
import { decodeStreamWith, jsonPushDecoder, parseCheckedChunk } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/responses-streaming
// Deltas name their output item by `output_index`; a function call's arguments are routed to the
// hub tool index given when its item was added. Summary parts after the first are separated by a
// blank line, as decodeResult joins them. The stream ends at response.completed / incomplete /
// failed, or at an `error` event. A reasoning item's encrypted content (asked for with `include`) is
// read from its output_item.done, where it is complete, and becomes a signature delta.

interface DecodeState {
  started: boolean
  /** Hub tool index of each function_call item, by output index. */
  tools: Map<number, number>
}

/** The events that end a Responses stream. */
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error'])

function start(state: DecodeState, env: ConversionEnv, response?: OpenAIResponsesStreamResponse): HubEvent[] {
  if (state.started) return []
  state.started = true
  return [
    {
      type: 'message-start',
      id: response?.id ?? env.newId('resp_'),
      model: response?.model || env.model || '',
      created: createdSeconds(response?.created_at, env),
    },
  ]
}

function functionCallStart(event: OpenAIResponsesStreamEvent, state: DecodeState, env: ConversionEnv): HubEvent[] {
  const item = event.item
  if (item?.type !== 'function_call') return []
  const toolIndex = state.tools.size
  state.tools.set(event.output_index ?? toolIndex, toolIndex)
  const events: HubEvent[] = [{ type: 'tool-call-start', index: 0, toolIndex, id: item.call_id || env.newId('call_'), name: item.name ?? '' }]
  if (item.arguments) events.push({ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: item.arguments })
  return events
}

function ending(event: OpenAIResponsesStreamEvent, state: DecodeState): HubEvent[] {
  const response = event.response
  const events: HubEvent[] = []
  if (response?.usage) events.push({ type: 'usage', usage: convertOpenAIResponsesUsage(response.usage) })
  if (event.type === 'response.failed') {
    events.push({
      type: 'error',
      status: 502,
      code: response?.error?.code ?? 'upstream_error',
      message: response?.error?.message ?? 'Upstream response failed',
    })
    return events
  }
  const calledFunctions = state.tools.size > 0 || (response?.output ?? []).some((item) => item.type === 'function_call')
  const finish = mapOpenAIResponsesStatus(
    response?.status ?? (event.type === 'response.completed' ? 'completed' : 'incomplete'),
    response?.incomplete_details?.reason,
    calledFunctions,
  )
  return [{ type: 'finish', index: 0, reason: finish.reason, ...(finish.raw ? { rawReason: finish.raw } : {}) }, ...events]
}

/** A finished reasoning item's encrypted content as a signature delta (only the done item holds it complete). */
function reasoningSignature(event: OpenAIResponsesStreamEvent): HubEvent[] {
  const item = event.item
  const signature = item?.type === 'reasoning' ? reasoningItemSignature(item) : undefined
  return signature ? [{ type: 'reasoning-delta', index: 0, text: '', signature, signatureOrigin: 'openai' }] : []
}

/** The hub events of one Responses stream event. */
function step(type: string, event: OpenAIResponsesStreamEvent, state: DecodeState, env: ConversionEnv): HubEvent[] {
  const delta = typeof event.delta === 'string' ? event.delta : ''
  switch (type) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
      return start(state, env, event.response)
    case 'response.output_item.added':
      return [...start(state, env), ...functionCallStart(event, state, env)]
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      return delta ? [...start(state, env), { type: 'text-delta', index: 0, text: delta }] : []
    case 'response.reasoning_summary_part.added':
      return (event.summary_index ?? 0) > 0 ? [{ type: 'reasoning-delta', index: 0, text: '\n\n' }] : []
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta':
      return delta ? [...start(state, env), { type: 'reasoning-delta', index: 0, text: delta }] : []
    case 'response.output_item.done':
      return reasoningSignature(event)
    case 'response.function_call_arguments.delta': {
      const toolIndex = state.tools.get(event.output_index ?? -1)
      return toolIndex !== undefined && delta ? [{ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: delta }] : []
    }
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      return [...start(state, env, event.response), ...ending(event, state)]
    case 'error': {
      const error = event.error ?? event
      return [{ type: 'error', status: 502, code: error.code ?? 'upstream_error', message: error.message ?? 'Upstream reported an error inside the stream' }]
    }
  }
  return []
}

/** The event schema, compiled once. */
const checkEvent = TypeCompiler.Compile(OpenAIResponsesStreamEvent)

/** A push decoder of one OpenAI Responses stream: event by event; done at the terminal event or an `error` event. */
export function createOpenAIResponsesStreamDecoder(env: ConversionEnv): HubStreamDecoder {
  const state: DecodeState = { started: false, tools: new Map() }
  return jsonPushDecoder<OpenAIResponsesStreamEvent>({
    parse: (sse) => parseCheckedChunk(sse.data, checkEvent, 'OpenAI Responses', 'Upstream sent a malformed stream event'),
    isEnd: (event, sse) => TERMINAL.has(event.type ?? sse.event ?? ''),
    step: (event, sse) => step(event.type ?? sse.event ?? '', event, state, env),
  })
}

/** OpenAI Responses stream events as hub events, emitted event by event; ends at the terminal event. */
export const decodeOpenAIResponsesStream = decodeStreamWith(createOpenAIResponsesStreamDecoder)
