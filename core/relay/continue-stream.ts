import {
  isRecord,
  type AssistantPrefill,
  type ConversionEnv,
  type HubChatRequest,
  type HubEvent,
  type SseEvent,
  type StreamTapResult,
  type Usage,
} from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import type { GatewayError } from '../errors.ts'
import { baseUrlOf } from '../routing/channel-client.ts'
import type { RuntimeChannel } from '../routing/channel-directory.ts'
import { resolveModelMapping } from '../routing/select-channel.ts'
import { callWithFailover, type UpstreamPlan, type UpstreamSuccess } from './call-upstream.ts'
import { createHubTap, type DeliveredAnswer } from './hub-tap.ts'
import { hubTarget, knownSuffix, servedDialects } from './plan-dialogue.ts'
import type { Continuation } from './relay-stream.ts'
import { answerEvents } from './response-path.ts'
import type { CallRecord } from './settle.ts'

// A chat stream cut after some of its text reached the client (a reset, a malformed chunk, silence past
// STREAMING_TIMEOUT) is continued on another channel of the call whose dialect continues a prefilled assistant
// turn: its dialect's (HubUpstreamCodec.continuesAssistantPrefill: Anthropic), or its own as its transport says
// (ChannelTransport.assistantPrefill: an OpenAI-compatible vendor's marker such as DeepSeek's `prefix: true`, applied to
// the encoded body by `reshape`; OpenAI's own chat API has none). That channel gets the client's request plus one
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
 * The candidates, the cut channel excluded, whose hub target for this call continues a prefilled assistant turn: the
 * target dialect does (Anthropic), or the channel's transport says this channel does (a vendor's prefix marker).
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
    const target = hubTarget(registry, dialects, plan.codec.dialect)
    if (!target?.hub) return false
    return target.hub.continuesAssistantPrefill === true || channelPrefill(context, channel, target.dialect) !== undefined
  })
}

/** How `channel` continues a prefill sent in `dialect`, as its transport says (undefined: by its dialect, or not at all). */
export function channelPrefill(context: AppContext, channel: RuntimeChannel, dialect: string): AssistantPrefill | undefined {
  const spec = context.registry.channelType(channel.type)?.spec
  return spec?.transport.assistantPrefill?.(
    { type: channel.type, baseUrl: baseUrlOf(channel.baseUrl, spec.defaultBaseUrl), settings: channel.settings },
    dialect,
  )
}

/**
 * The channel as a continuation calls it: when its mapping (or the client's model name) ends in a reasoning suffix the
 * gateway would apply (`-thinking`, `-high`, …), the continuation asks for the base model instead. The continuation
 * runs without reasoning, and Anthropic refuses a prefill with thinking on.
 */
export function withoutReasoningSuffix(context: AppContext, channel: RuntimeChannel, model: string): RuntimeChannel {
  const suffix = knownSuffix(context.registry, resolveModelMapping(channel.modelMapping, model))
  return suffix ? { ...channel, modelMapping: { [model]: suffix.model } } : channel
}

/**
 * The encoded continuation request marked as the channel's vendor asks: the members on its final assistant message
 * and on the body, and its URL. Unchanged when the last message is not the assistant's (nothing to continue).
 */
export function markedPrefill(body: Record<string, unknown>, prefill: AssistantPrefill): { body: Record<string, unknown>; url?: string } {
  const messages = Array.isArray(body.messages) ? body.messages : []
  const last: unknown = messages.at(-1)
  if (!isRecord(last) || last.role !== 'assistant') return { body }
  const marked = { ...last, ...prefill.messageMembers }
  return { body: { ...body, ...prefill.bodyMembers, messages: [...messages.slice(0, -1), marked] }, url: prefill.url }
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
    // Needed only when the continuation's usage arrives: counted meanwhile, off the event loop (a first count there
    // would load the encoding's tables, ~0.45 s with every call stalled, while the continuation's first event is awaited).
    const deliveredTokens = delivered.text === '' ? Promise.resolve(0) : context.tokenCounter.count(record.call.model, [delivered.text], { background: true })
    // A continuation that fails before its usage never reads the count: its failure is not an unhandled rejection.
    deliveredTokens.catch(() => undefined)
    const request = prefilledRequest(decoded.value, delivered.text)
    let upstream: UpstreamSuccess
    try {
      upstream = await callWithFailover(context, {
        ...plan,
        candidates: candidates.map((channel) => withoutReasoningSuffix(context, channel, plan.model)),
        stream: true,
        viaHub: true,
        hubRequest: () => ({ value: request, warnings: decoded.warnings }),
        reshape: (channel, body, dialect) => {
          const prefill = channelPrefill(context, channel, dialect)
          return prefill ? markedPrefill(body, prefill) : { body }
        },
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
    const answer = answerEvents(target, upstream, env, call.maxBufferBytes)
    const echoes = channelPrefill(context, upstream.channel, upstream.dialogue.upstreamCodec.dialect)?.echoesPrefill === true
    const continued = tap.observe(
      adjustedEvents(echoes ? withoutEcho(answer, delivered.text.trimEnd()) : answer, deliveredTokens, delivered.text !== delivered.text.trimEnd()),
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
 * The prefix vendors accept trailing whitespace, but one hub request serves every candidate, and a prefill ending in a
 * space is a token sequence models rarely saw (their tokenizers join a space to the next word), so it is trimmed for
 * all; adjustedEvents then drops the continuation's leading whitespace, so the client reads the spacing once.
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
export async function* adjustedEvents(
  events: AsyncIterable<HubEvent>,
  deliveredTokens: number | Promise<number>,
  dropLeadingSpace: boolean,
): AsyncGenerator<HubEvent> {
  let trim = dropLeadingSpace
  for await (const event of events) {
    if (event.type === 'message-start') continue
    if (event.type === 'usage') yield { type: 'usage', usage: movedUsage(event.usage, await deliveredTokens) }
    else if (event.type === 'text-delta' && trim) {
      const text = event.text.trimStart()
      if (text === '') continue
      trim = false
      yield { ...event, text }
    } else yield event
  }
}

/**
 * The continuation's events without the prefill its upstream repeated first (Mistral's answer starts with the prefix):
 * text is held until it is as long as the prefill, then dropped up to its end when it starts with it, else sent as is.
 */
export async function* withoutEcho(events: AsyncIterable<HubEvent>, prefill: string): AsyncGenerator<HubEvent> {
  let held = ''
  let checking = prefill !== ''
  for await (const event of events) {
    if (!checking) {
      yield event
      continue
    }
    if (event.type === 'text-delta' && event.index === 0) {
      held += event.text
      if (held.length < prefill.length) continue
    } else if (held === '') {
      // The message's start, or anything else before its text: not part of the echo.
      yield event
      continue
    }
    checking = false
    const rest = held.startsWith(prefill) ? held.slice(prefill.length) : held
    if (rest !== '') yield { type: 'text-delta', index: 0, text: rest }
    if (event.type !== 'text-delta' || event.index !== 0) yield event
  }
  // Ended shorter than the prefill: not its echo.
  if (checking && held !== '') yield { type: 'text-delta', index: 0, text: held }
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
