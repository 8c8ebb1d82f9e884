import { isRecord, nowSeconds, parseJsonObject, type ConversionEnv, type Converted, type HubUpstreamCodec } from '@hanggent/plugin-sdk'
import type { FinishReason, HubChatRequest, HubEvent, HubResult, Usage } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import type { ParrotAnswer, ParrotMeter, ParrotRequest, ParrotTurn } from './parrot-wire.ts'

// The upstream half of a hub codec: how a call in any client dialect (OpenAI Chat, Claude, Gemini…)
// becomes a Parrot request, and how Parrot's answers become hub results and events. Pure functions:
// the clock, ids and the call's model come from `env`.

const SPEAKER = { system: 'system', user: 'user', assistant: 'bird' } as const

/** The text of a hub message's text parts; other parts are dropped (with a warning). */
function textOf(parts: HubChatRequest['messages'][number]['content'], warnings: string[]): string {
  const texts: string[] = []
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text)
    else warnings.push(`Parrot takes text only: a ${part.type} part was dropped`)
  }
  return texts.join('\n')
}

/** A hub request as Parrot's body. */
function encodeRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const warnings: string[] = []
  const turns: ParrotTurn[] = []
  for (const message of request.messages) {
    if (message.role === 'tool') {
      warnings.push('Parrot has no tools: a tool result was dropped')
      continue
    }
    turns.push({ speaker: SPEAKER[message.role], text: textOf(message.content, warnings) })
  }
  if (request.tools?.length) warnings.push('Parrot has no tools: the tool definitions were dropped')
  const body: ParrotRequest = {
    model: request.model,
    turns,
    ...(request.maxOutputTokens ? { max_words: request.maxOutputTokens } : {}),
    ...(request.stream ? { stream: true } : {}),
  }
  return { value: { ...body }, warnings }
}

/** Parrot's meter as hub usage (words billed as tokens in this example). */
function usageOf(meter: ParrotMeter | undefined): Usage | undefined {
  if (!meter) return undefined
  return { inputTokens: meter.heard, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: meter.said, reasoningTokens: 0, raw: meter }
}

/** Parrot's stop word as a hub finish reason. */
function finishOf(stop: string | undefined): FinishReason {
  return stop === 'word_limit' ? 'length' : stop === 'done' || stop === undefined ? 'stop' : 'other'
}

/** A complete Parrot answer as a hub result; Parrot may leave out the model, so the call's model fills it. */
function decodeResult(body: unknown, env: ConversionEnv): HubResult {
  const answer = (isRecord(body) ? body : {}) as ParrotAnswer
  return {
    id: answer.id ?? env.newId('parrot-'),
    model: answer.model ?? env.model ?? '',
    created: nowSeconds(env),
    choices: [{ index: 0, content: [{ type: 'text', text: answer.reply?.text ?? '' }], finishReason: finishOf(answer.stop) }],
    usage: usageOf(answer.meter),
  }
}

/** Parrot's SSE events as hub events; a malformed event becomes an `error` event. */
async function* decodeStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncIterable<HubEvent> {
  yield { type: 'message-start', id: env.newId('parrot-'), model: env.model ?? '', created: nowSeconds(env) }
  for await (const event of events) {
    const data = parseJsonObject<{ text?: unknown; stop?: string; meter?: ParrotMeter }>(event.data)
    if (!data) {
      yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Parrot sent an event that is not a JSON object' }
      return
    }
    if (event.event === 'chunk' && typeof data.text === 'string') yield { type: 'text-delta', index: 0, text: data.text }
    if (event.event === 'end') {
      const usage = usageOf(data.meter)
      if (usage) yield { type: 'usage', usage }
      yield { type: 'finish', index: 0, reason: finishOf(data.stop), rawReason: data.stop }
      return
    }
  }
}

/** How calls from any client dialect reach Parrot. */
export const parrotHub: HubUpstreamCodec = { encodeRequest, decodeResult, decodeStream }
