import type { ConversionEnv, HubClientCodec, HubEvent, HubResult, HubUpstreamCodec, UpstreamDialect, Usage } from '@hanggent/plugin-sdk'
import type { PassthroughPair } from '../plugin/registry.ts'
import { decodeSse, isMalformedStreamEvent } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { reasoningToContent, reasoningToContentResult } from '../hub/reasoning-to-content.ts'
import { createHubTap, type DeliveredAnswer, passthroughTap } from './hub-tap.ts'
import { lastObjectMember, looksLikeJsonObject } from './json-member.ts'
import { relayPassthroughStream } from './relay-passthrough-stream.ts'
import { type Continuation, relayStream, responseBody, upstreamChunks, type StreamRelayOptions } from './relay-stream.ts'
import type { ObservedOutput } from './settle.ts'

// How the answer of one attempt reaches the client, chosen with the attempt's dialogue (plan-dialogue.ts)
// and never decided again: a passthrough answer goes out as the upstream sent it with usage read on the
// side; a converted one is decoded into the hub and encoded in the client's dialect.

/** A whole (non-stream) answer as the client gets it, and what it cost. */
export interface WholeAnswer {
  response: Response
  /** The upstream's usage, when it reported one. */
  usage: Usage | undefined
  /** What was delivered, counted when the upstream reported no usage. */
  observed: ObservedOutput
}

/** The upstream's whole answer. */
export interface UpstreamAnswer {
  text: string
  response: Response
}

/** What a stream's relay needs from the call, whichever path it takes. */
export type StreamHooks = Pick<StreamRelayOptions, 'codec' | 'abort' | 'idleTimeoutMs' | 'onFirstEvent' | 'internalError' | 'onEnd'> & {
  /** Largest event a parser may buffer (STREAM_SCANNER_MAX_BUFFER_MB). */
  maxBufferBytes: number
  /** The rest of the answer from another channel after a cut, given what was delivered (undefined: unknown); see StreamRelayOptions. */
  continueAfterCut?: (cut: GatewayError, delivered: DeliveredAnswer | undefined) => Promise<Continuation | undefined>
}

/** The response side of an attempt's plan. */
export interface ResponsePath {
  /** Turns the upstream's whole answer into the client's. */
  answer(upstream: UpstreamAnswer, env: ConversionEnv): WholeAnswer
  /** Relays the upstream's stream to the client. */
  stream(body: ReadableStream<Uint8Array>, hooks: StreamHooks, env: ConversionEnv): ReadableStream<Uint8Array>
  /** Streams a whole answer to a client that asked for a stream (an upstream that ignored `stream`), in the client's dialect. */
  streamWhole(result: HubResult, hooks: StreamHooks, env: ConversionEnv): ReadableStream<Uint8Array>
}

/**
 * Same dialect on both sides (both of its roles): the upstream's bytes go to the client unchanged (a stream's
 * events feed the upstream role's push decoder on the side, for billing), unless the client role completes
 * whole answers from the client's request (ClientDialect.completeAnswer, given the client's body).
 */
export function passthroughPath(dialect: PassthroughPair, hide: StreamRelayOptions['hide'], requestBody?: Record<string, unknown>): ResponsePath {
  const { client, upstream } = dialect
  return {
    answer(answered, env) {
      const { usage, observed } = passthroughUsage(upstream, answered.text, env, client.readOutputText)
      const contentType = answered.response.headers.get('content-type') ?? 'application/json'
      const text = client.completeAnswer && requestBody ? JSON.stringify(client.completeAnswer(parseUpstreamJson(answered.text), requestBody)) : answered.text
      return { response: new Response(text, { status: answered.response.status, headers: { 'content-type': contentType } }), usage, observed }
    },
    stream(body, hooks, env) {
      const tap = passthroughTap(dialect, env)
      const { continueAfterCut } = hooks
      return relayPassthroughStream({
        ...hooks,
        hide,
        body,
        tap,
        continueAfterCut: continueAfterCut && ((cut) => continueAfterCut(cut, tap.delivered())),
      })
    },
    streamWhole(result, hooks, env) {
      if (!client.hub) throw new GatewayError(500, 'internal_error', `${client.dialect} cannot render a whole answer as a stream`)
      return relayHubEvents(eventsOf(hubEventsOfResult(result)), { client: client.hub, thinkingToContent: false, hide }, hooks, env)
    },
  }
}

/** What a converted answer needs: both hub sides, the model named upstream and the channel's reasoning setting. */
export interface Conversion {
  client: HubClientCodec
  upstream: HubUpstreamCodec
  /** The model named upstream, for answers whose decoder names none. */
  model: string
  /** Reasoning goes to the client as `<think>` content. */
  thinkingToContent: boolean
  hide: StreamRelayOptions['hide']
}

/** Another dialect upstream (or a rewrite): the answer goes through the hub. */
export function convertedPath(conversion: Conversion): ResponsePath {
  const { client, upstream, model, thinkingToContent } = conversion
  return {
    answer(answered, env) {
      const decoded = withModel(upstream.decodeResult(parseUpstreamJson(answered.text), env), model)
      const result = thinkingToContent ? reasoningToContentResult(decoded) : decoded
      return { response: Response.json(client.encodeResult(result, env)), usage: result.usage, observed: observedOutput(result) }
    },
    stream(body, hooks, env) {
      return relayHubEvents(withStreamModel(decodeUpstreamStream(upstream, body, env, hooks.maxBufferBytes), model), conversion, hooks, env)
    },
    streamWhole(result, hooks, env) {
      return relayHubEvents(eventsOf(hubEventsOfResult(withModel(result, model))), conversion, hooks, env)
    },
  }
}

/**
 * Hub events to the client as its dialect's stream, watched for billing; a cut (a malformed chunk included) may be
 * continued elsewhere when the hooks allow it, else the client's encoder renders its error event.
 */
function relayHubEvents(
  events: AsyncIterable<HubEvent>,
  conversion: Pick<Conversion, 'thinkingToContent' | 'hide'> & { client: HubClientCodec },
  hooks: StreamHooks,
  env: ConversionEnv,
): ReadableStream<Uint8Array> {
  const tap = createHubTap()
  const { continueAfterCut } = hooks
  const observed = tap.observe(events)
  const decoded = continueAfterCut ? malformedAsCut(observed) : observed
  const converted = conversion.client.encodeStream(conversion.thinkingToContent ? reasoningToContent(decoded) : decoded, env)
  return relayStream({
    ...hooks,
    hide: conversion.hide,
    source: converted[Symbol.asyncIterator](),
    inspect: () => true,
    result: tap.result,
    continueAfterCut: continueAfterCut && ((cut) => continueAfterCut(cut, tap.delivered())),
  })
}

/** A whole answer's hub events in the order a stream of it would have sent them: start, each choice's parts and finish, usage. */
export function hubEventsOfResult(result: HubResult): HubEvent[] {
  const events: HubEvent[] = [{ type: 'message-start', id: result.id, model: result.model, created: result.created }]
  for (const choice of result.choices) {
    const index = choice.index
    let toolIndex = 0
    for (const part of choice.content) {
      if (part.type === 'text' && part.text !== '') events.push({ type: 'text-delta', index, text: part.text })
      else if (part.type === 'reasoning') {
        const { type: _, ...reasoning } = part
        events.push({ type: 'reasoning-delta', index, ...reasoning })
      } else if (part.type === 'tool-call') {
        events.push({ type: 'tool-call-start', index, toolIndex, id: part.id, name: part.name })
        if (part.arguments !== '') events.push({ type: 'tool-call-delta', index, toolIndex, argumentsDelta: part.arguments })
        toolIndex += 1
      }
    }
    events.push({ type: 'finish', index, reason: choice.finishReason, ...(choice.rawFinishReason === undefined ? {} : { rawReason: choice.rawFinishReason }) })
  }
  if (result.usage) events.push({ type: 'usage', usage: result.usage })
  return events
}

/** Events already in hand as the async iterable a stream's relay reads. */
async function* eventsOf(events: HubEvent[]): AsyncGenerator<HubEvent> {
  yield* events
}

/** The hub events of an attempt's answer to a stream call: its stream decoded, or the whole answer it sent instead (UpstreamSuccess.whole). */
export function answerEvents(
  upstream: HubUpstreamCodec,
  answered: { response: Response; whole?: HubResult },
  env: ConversionEnv,
  maxBufferBytes: number,
): AsyncIterable<HubEvent> {
  return answered.whole ? eventsOf(hubEventsOfResult(answered.whole)) : decodeUpstreamStream(upstream, responseBody(answered.response), env, maxBufferBytes)
}

/** An upstream stream as hub events: framed by the dialect when its stream is not SSE, else parsed as SSE here, then decoded. */
export function decodeUpstreamStream(
  upstream: HubUpstreamCodec,
  body: ReadableStream<Uint8Array>,
  env: ConversionEnv,
  maxBufferBytes: number,
): AsyncIterable<HubEvent> {
  const chunks = upstreamChunks(body)
  const events = upstream.frameStream ? upstream.frameStream.call(upstream, chunks) : decodeSse(chunks, { maxBufferBytes })
  return upstream.decodeStream(events, env)
}

/**
 * A converted answer names the model that served it: the decoder's, else the model named upstream. Not
 * the client's alias: a converted answer then reads as a passthrough one does (the upstream echoes the
 * mapped name), and the usage log shows both names for whoever needs the alias.
 */
function withModel(result: HubResult, upstreamModel: string): HubResult {
  return result.model === '' ? { ...result, model: upstreamModel } : result
}

/** Hub events with a malformed upstream chunk's `error` event thrown as the GatewayError it stands for (a cut). */
async function* malformedAsCut(events: AsyncIterable<HubEvent>): AsyncGenerator<HubEvent> {
  for await (const event of events) {
    if (event.type === 'error' && isMalformedStreamEvent(event)) throw new GatewayError(502, 'bad_upstream_response', event.message)
    yield event
  }
}

/** The same for a converted stream: a `message-start` that names no model gets the model named upstream. */
async function* withStreamModel(events: AsyncIterable<HubEvent>, upstreamModel: string): AsyncGenerator<HubEvent> {
  for await (const event of events) yield event.type === 'message-start' && event.model === '' ? { ...event, model: upstreamModel } : event
}

/**
 * Usage of a passthrough answer, which goes to the client as it came, read by the upstream role alone: from its
 * usage member through `decodeUsage` when the dialect names one, so the rest is never parsed; the whole body is
 * parsed only when that member is missing, and then read by the dialect's hub decoder (`decodeResult`: its usage,
 * else the output to count, tool calls and reasoning included, as on converted answers). A 1.x dialect's
 * deprecated `readUsage` is still read where it was; `readOutputText` (client role, deprecated) only for an answer
 * no decoder reads.
 */
export function passthroughUsage(
  upstream: UpstreamDialect,
  text: string,
  env: ConversionEnv,
  readOutputText?: (body: unknown) => string,
): { usage: Usage | undefined; observed: ObservedOutput } {
  if (!looksLikeJsonObject(text)) throw new GatewayError(502, 'bad_upstream_response', 'Upstream answered with a body that is not JSON')
  const usage = memberUsage(upstream, text)
  if (usage) return { usage, observed: NOTHING_OBSERVED }
  const json = parseUpstreamJson(text)
  const reported = upstream.readUsage?.(json)
  if (reported) return { usage: reported, observed: NOTHING_OBSERVED }
  const decoded = decodedAnswer(upstream, json, env)
  if (decoded?.usage) return { usage: decoded.usage, observed: NOTHING_OBSERVED }
  return { usage: undefined, observed: decoded ? observedOutput(decoded) : { outputText: readOutputText?.(json) ?? '', toolCalls: 0 } }
}

/** The usage in the answer's usage member alone (the cheap path for large answers), or undefined. */
function memberUsage(upstream: UpstreamDialect, text: string): Usage | undefined {
  const name = upstream.usageMember
  if (name === undefined || (!upstream.decodeUsage && !upstream.readUsage)) return undefined
  const member = lastObjectMember(text, name)
  if (member === undefined) return undefined
  return upstream.decodeUsage ? upstream.decodeUsage(member) : upstream.readUsage!({ [name]: member })
}

const NOTHING_OBSERVED: ObservedOutput = { outputText: '', toolCalls: 0 }

/** The answer through the upstream role's hub decoder, or undefined when it has none or the decoder refuses the answer. */
function decodedAnswer(upstream: UpstreamDialect, json: unknown, env: ConversionEnv): HubResult | undefined {
  if (!upstream.hub) return undefined
  try {
    return upstream.hub.decodeResult(json, env)
  } catch {
    // An answer the decoder cannot read is still the upstream's answer: counted by the text reader, if any.
    return undefined
  }
}

/** What a converted answer delivered, counted when the upstream reported no usage: text, reasoning, and tool calls' names and arguments. */
function observedOutput(result: HubResult): ObservedOutput {
  const texts: string[] = []
  let toolCalls = 0
  for (const choice of result.choices) {
    for (const part of choice.content) {
      if (part.type === 'text' || part.type === 'reasoning') texts.push(part.text)
      else if (part.type === 'tool-call') {
        toolCalls += 1
        texts.push(part.name, part.arguments)
      }
    }
  }
  return { outputText: texts.join(''), toolCalls }
}

function parseUpstreamJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new GatewayError(502, 'bad_upstream_response', 'Upstream answered with a body that is not JSON')
  }
}
