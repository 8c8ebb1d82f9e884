import {
  isRecord,
  nowSeconds,
  parseJsonObject,
  readSettings,
  type ConversionEnv,
  type FinishReason,
  type HubEvent,
  type HubPart,
  type HubResult,
  type SseEvent,
} from '@hanggent/plugin-sdk'
import type { CohereChatResponse, CohereContent, CohereUsage } from './cohere-api.ts'
import { convertCohereUsage } from './cohere-usage.ts'
import { CohereSettings } from './cohere-settings.ts'

// see https://docs.cohere.com/reference/chat (response) and https://docs.cohere.com/reference/chat-stream (events)
// Cohere's answers never name the model: the decoders leave `model` empty and the gateway fills it in.

/** Cohere's finish reasons in hub terms. */
export function mapCohereFinishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
      return 'stop'
    case 'MAX_TOKENS':
      return 'length'
    case 'TOOL_CALL':
      return 'tool-calls'
    case 'ERROR_TOXIC':
      return 'content-filter'
    case 'ERROR':
      return 'error'
    default:
      return 'other'
  }
}

/** True when the channel asks for the model's thinking to be dropped (the `dropThinking` setting), read from the call's context. */
function dropsThinking(env: ConversionEnv): boolean {
  return env.call !== undefined && readSettings(CohereSettings, env.call.channel.settings).dropThinking === true
}

function contentPart(block: CohereContent, env: ConversionEnv): HubPart | undefined {
  if (block.type === 'text') return { type: 'text', text: block.text }
  if (block.type === 'thinking' && !dropsThinking(env)) return { type: 'reasoning', text: block.thinking }
  return undefined
}

/** A complete Cohere answer as a hub result. */
export function decodeCohereResult(body: unknown, env: ConversionEnv): HubResult {
  const response = (isRecord(body) ? body : {}) as CohereChatResponse
  const content: HubPart[] = []
  for (const block of response.message?.content ?? []) {
    const part = contentPart(block, env)
    if (part) content.push(part)
  }
  for (const call of response.message?.tool_calls ?? []) {
    content.push({ type: 'tool-call', id: call.id || env.newId('call_'), name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' })
  }
  const usage = convertCohereUsage(response.usage)
  return {
    id: response.id || env.newId(''),
    model: '',
    created: nowSeconds(env),
    choices: [
      {
        index: 0,
        content,
        finishReason: mapCohereFinishReason(response.finish_reason),
        ...(response.finish_reason ? { rawFinishReason: response.finish_reason } : {}),
      },
    ],
    ...(usage ? { usage } : {}),
  }
}

/** The parts of a stream event the decoder reads. */
interface CohereStreamEvent {
  type?: string
  id?: string
  delta?: {
    message?: { content?: { text?: string; thinking?: string }; tool_calls?: { id?: string; function?: { name?: string; arguments?: string } } }
    finish_reason?: string
    usage?: CohereUsage
  }
}

/** Cohere stream events as hub events; an event that is not JSON becomes an `error` event. */
export async function* decodeCohereStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncGenerator<HubEvent> {
  let toolIndex = -1
  for await (const sse of events) {
    const event = parseJsonObject<CohereStreamEvent>(sse.data)
    if (!event) {
      yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Cohere sent a stream event that is not JSON' }
      return
    }
    const message = event.delta?.message
    if (event.type === 'message-start') yield { type: 'message-start', id: event.id || env.newId(''), model: '', created: nowSeconds(env) }
    else if (event.type === 'content-delta' && typeof message?.content?.text === 'string') yield { type: 'text-delta', index: 0, text: message.content.text }
    else if (event.type === 'content-delta' && typeof message?.content?.thinking === 'string' && !dropsThinking(env))
      yield { type: 'reasoning-delta', index: 0, text: message.content.thinking }
    else if (event.type === 'tool-call-start') {
      toolIndex += 1
      const call = message?.tool_calls
      yield { type: 'tool-call-start', index: 0, toolIndex, id: call?.id || env.newId('call_'), name: call?.function?.name ?? '' }
      if (call?.function?.arguments) yield { type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: call.function.arguments }
    } else if (event.type === 'tool-call-delta' && message?.tool_calls?.function?.arguments) {
      yield { type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: message.tool_calls.function.arguments }
    } else if (event.type === 'message-end') {
      const usage = convertCohereUsage(event.delta?.usage)
      if (usage) yield { type: 'usage', usage }
      const raw = event.delta?.finish_reason
      yield { type: 'finish', index: 0, reason: mapCohereFinishReason(raw), ...(raw ? { rawReason: raw } : {}) }
    }
  }
}
