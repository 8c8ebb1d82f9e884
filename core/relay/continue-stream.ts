import type { ConversionEnv, HubChatRequest, HubEvent, SseEvent, StreamTapResult, Usage } from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import type { GatewayError } from '../errors.ts'
import type { RuntimeChannel } from '../routing/channel-directory.ts'
import { resolveModelMapping } from '../routing/select-channel.ts'
import { callWithFailover, type UpstreamPlan, type UpstreamSuccess } from './call-upstream.ts'
import { createHubTap, type DeliveredAnswer } from './hub-tap.ts'
import { hubTarget, servedDialects } from './plan-dialogue.ts'
import { type Continuation, responseBody } from './relay-stream.ts'
import { decodeUpstreamStream } from './response-path.ts'
import type { CallRecord } from './settle.ts'

// A chat stream cut after some of its text reached the client (a reset, a malformed chunk, silence past
// STREAMING_TIMEOUT) is continued on another channel of the call whose dialect continues a prefilled assistant
// turn (HubUpstreamCodec.continuesAssistantPrefill: Anthropic). That channel gets the client's request plus one
// assistant message holding the delivered text, always through the hub (a passthrough would send the client's
// body without it), with reasoning off (Anthropic refuses prefill with thinking). Its answer reaches the client
// through a fresh client encoder fed a replay of what was delivered (the first answer's message-start, so ids stay
// the same, and its text in one delta), whose output for the replay is dropped. The client pays one answer: the
// continuation's usage with the delivered text's tokens moved from its input to its output.
// see https://docs.claude.com/en/docs/build-with-claude/prompt-engineering/prefill-claudes-response

/** What a continuation needs from the call whose stream was cut. */
export interface ContinuationCall {
  context: AppContext
  /** The call's upstream plan (client dialect, body, candidates, keys, health, signal, hub request). */
  plan: UpstreamPlan
  record: CallRecord
  /** The channel whose stream was cut, and the model it was sent. */
  cut: { channel: RuntimeChannel; upstreamModel: string }
  /** Clock, ids and call facts for the continuation's converters. */
  envFor(upstream: UpstreamSuccess): ConversionEnv
  /** Largest event the parser may buffer (STREAM_SCANNER_MAX_BUFFER_MB). */
  maxBufferBytes: number
}

/**
 * The candidates, the cut channel excluded, whose hub target for this call continues a prefilled assistant turn.
 * Empty for a client dialect other than a chat one (Responses events carry item ids a replay cannot reproduce).
 */
export function continuingCandidates(context: AppContext, plan: UpstreamPlan, cutChannelId: number): RuntimeChannel[] {
  const { registry } = context
  if (!plan.codec.hub || plan.codec.endpoint !== 'chat') return []
  return plan.candidates.filter((channel) => {
    if (channel.id === cutChannelId) return false
    const transport = registry.channelType(channel.type)?.spec.transport
    if (!transport) return false
    const dialects = servedDialects(registry, transport, resolveModelMapping(channel.modelMapping, plan.model))
    return hubTarget(registry, dialects, plan.codec.dialect)?.hub?.continuesAssistantPrefill === true
  })
}

/** The hook a cut stream asks (StreamHooks.continueAfterCut): the rest of the answer from a continuing channel, or undefined. */
export function continuationFor(call: ContinuationCall, candidates: RuntimeChannel[]) {
  return async (cut: GatewayError, delivered: DeliveredAnswer | undefined): Promise<Continuation | undefined> => {
    const { context, plan, record } = call
    const log = (message: string, fields: Record<string, unknown>) =>
      context.logger.log('warn', message, { requestId: record.requestId, fromChannelId: call.cut.channel.id, cut: cut.message, ...fields })
    if (!delivered?.textOnly || !delivered.start) {
      log('stream cut after delivery; not continued (tool call, reasoning or several choices delivered)', {})
      return undefined
    }
    const decoded = plan.hubRequest()
    if ((decoded.value.candidateCount ?? 1) > 1) return undefined
    const deliveredTokens = delivered.text === '' ? 0 : await context.tokenCounter.count(record.call.model, [delivered.text])
    const request = prefilledRequest(decoded.value, delivered.text)
    let upstream: UpstreamSuccess
    try {
      upstream = await callWithFailover(context, {
        ...plan,
        candidates,
        stream: true,
        viaHub: true,
        hubRequest: () => ({ value: request, warnings: decoded.warnings }),
      })
    } catch (error) {
      // The usage row names the channel that delivered what the client got.
      record.attempting(call.cut.channel.id, call.cut.upstreamModel)
      log('stream cut after delivery; no channel could continue it', { error: String(error) })
      return undefined
    }
    const target = upstream.dialogue.upstreamCodec.hub
    const client = plan.codec.hub
    if (!target || !client) {
      upstream.exchange.release()
      return undefined
    }
    upstream.exchange.stopTimer()
    record.continued({ channelId: call.cut.channel.id, deliveredCharacters: delivered.text.length })
    log('stream cut after delivery; continued on another channel', { toChannelId: upstream.channel.id, deliveredCharacters: delivered.text.length })
    const env = call.envFor(upstream)
    const tap = createHubTap()
    const continued = tap.observe(
      adjustedEvents(
        decodeUpstreamStream(target, responseBody(upstream.response), env, call.maxBufferBytes),
        deliveredTokens,
        delivered.text !== delivered.text.trimEnd(),
      ),
    )
    return {
      source: replayed(client.encodeStream.bind(client), delivered, continued, env)[Symbol.asyncIterator](),
      abort: upstream.exchange.abort,
      hide: plan.codec.prepareUpstreamBody(plan.body, upstream.upstreamModel, true).hideEvent,
      result: () => mergedResult(delivered.text, tap.result()),
      release: () => upstream.exchange.release(),
    }
  }
}

/**
 * The client's request with the delivered text as a final assistant turn (its trailing whitespace removed: Anthropic
 * refuses it; none when nothing but whitespace was delivered) and reasoning off (Anthropic refuses prefill with thinking).
 */
export function prefilledRequest(request: HubChatRequest, deliveredText: string): HubChatRequest {
  const prefill = deliveredText.trimEnd()
  const { thinking: _thinking, ...extra } = request.extra ?? {}
  return {
    ...request,
    stream: true,
    messages: prefill === '' ? request.messages : [...request.messages, { role: 'assistant', content: [{ type: 'text', text: prefill }] }],
    reasoning: undefined,
    extra: request.extra ? extra : undefined,
  }
}

/**
 * The continuation's hub events as the rest of the client's answer: no message-start (the client has one), the
 * first text without its leading whitespace when the delivered text ended in whitespace ("Hello, " + "world", not
 * two spaces), and usage with the delivered tokens moved from input (the prefill) to output.
 */
export async function* adjustedEvents(events: AsyncIterable<HubEvent>, deliveredTokens: number, dropLeadingSpace: boolean): AsyncGenerator<HubEvent> {
  let trim = dropLeadingSpace
  for await (const event of events) {
    if (event.type === 'message-start') continue
    if (event.type === 'usage') yield { type: 'usage', usage: movedUsage(event.usage, deliveredTokens) }
    else if (event.type === 'text-delta' && trim) {
      const text = event.text.trimStart()
      if (text === '') continue
      trim = false
      yield { ...event, text }
    } else yield event
  }
}

/** Usage of a continuation billed as one answer: the delivered tokens are output, not input (never below 0). */
export function movedUsage(usage: Usage, deliveredTokens: number): Usage {
  return { ...usage, inputTokens: Math.max(0, usage.inputTokens - deliveredTokens), outputTokens: usage.outputTokens + deliveredTokens }
}

/**
 * The client's events of the continuation: a fresh client encoder fed the delivered answer again (its message-start
 * and text), then the continuation; whatever it emits before it asks for the continuation's first event is dropped.
 */
async function* replayed(
  encodeStream: (events: AsyncIterable<HubEvent>, env: ConversionEnv) => AsyncIterable<SseEvent>,
  delivered: DeliveredAnswer,
  continued: AsyncIterable<HubEvent>,
  env: ConversionEnv,
): AsyncGenerator<SseEvent> {
  let replaying = true
  async function* fed(): AsyncGenerator<HubEvent> {
    if (delivered.start) yield delivered.start
    if (delivered.text !== '') yield { type: 'text-delta', index: 0, text: delivered.text }
    // The encoder asks for more: all it emitted so far was the replay.
    replaying = false
    yield* continued
  }
  for await (const event of encodeStream(fed(), env)) if (!replaying) yield event
}

/**
 * The whole answer's result: the continuation's usage when it finished and reported one (already moved), else the
 * delivered and continued text counted, as for any stream without usage (a continuation cut again included).
 */
export function mergedResult(deliveredText: string, continuation: StreamTapResult): StreamTapResult {
  const outputText = deliveredText + continuation.outputText
  if (continuation.completed && continuation.usage) return { ...continuation, outputText }
  return { ...continuation, usage: undefined, outputText }
}
