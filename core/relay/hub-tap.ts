import type { PassthroughPair } from '../plugin/registry.ts'
import type { ConversionEnv, HubEvent, HubStreamDecoder, SseEvent, StreamTap, Usage } from '@hanggent/plugin-sdk'
import type { StreamTapResult } from '@hanggent/plugin-sdk'
import { isMalformedStreamEvent } from '@hanggent/plugin-sdk'

/** Watches hub events on their way from the upstream decoder to the client encoder. */
export interface HubTap {
  /** Passes events through unchanged while noting usage, output and errors. */
  observe(events: AsyncIterable<HubEvent>): AsyncGenerator<HubEvent>
  /** What was seen so far. */
  result(): StreamTapResult
  /** What reached the encoder so far, for a continuation after a cut. */
  delivered(): DeliveredAnswer
}

/** A passthrough stream's tap that can also say what was delivered (undefined when its dialect brings no push decoder). */
export interface DeliveredTap extends StreamTap {
  /** What the upstream's events delivered so far, decoded (deferred events included). */
  delivered(): DeliveredAnswer | undefined
}

/** What part of an answer reached the client, for continuing it elsewhere after a cut (continue-stream.ts). */
export interface DeliveredAnswer {
  /** The answer's `message-start` (its id, model and creation time), when one was seen. */
  start: Extract<HubEvent, { type: 'message-start' }> | undefined
  /** The text of choice 0, as delivered; '' once anything else was (such an answer is never continued). */
  text: string
  /** True when nothing but choice 0's text was delivered: no tool call, no reasoning, no other choice. */
  textOnly: boolean
}

/** What hub events told about an answer: the last `usage` wins, as providers send cumulative usage. */
class HubTally {
  readonly text: string[] = []
  start: DeliveredAnswer['start']
  /** Nothing but choice 0's text so far: `text` is then exactly that text, which a continuation needs. */
  textOnly = true
  usage: Usage | undefined
  toolCalls = 0
  finished = false
  error: StreamTapResult['error']

  note(event: HubEvent): void {
    if (event.type === 'text-delta') {
      this.text.push(event.text)
      if (event.index !== 0) this.textOnly = false
    } else if (event.type === 'reasoning-delta') {
      this.text.push(event.text)
      this.textOnly = false
    } else if (event.type === 'tool-call-start') {
      this.toolCalls += 1
      this.textOnly = false
      this.text.push(event.name)
    } else if (event.type === 'tool-call-delta') {
      this.text.push(event.argumentsDelta)
      this.textOnly = false
    } else if (event.type === 'usage') this.usage = event.usage
    else if (event.type === 'finish') this.finished = true
    else if (event.type === 'error') this.error = { message: event.message, code: event.code }
    else if (event.type === 'message-start') this.start ??= event
  }

  result(completed: boolean): StreamTapResult {
    return { usage: this.usage, outputText: this.text.join(''), toolCalls: this.toolCalls, completed, error: this.error }
  }

  delivered(): DeliveredAnswer {
    // Past the first part that is not choice 0's text no continuation is made, so the text is then not needed.
    return { start: this.start, text: this.textOnly ? this.text.join('') : '', textOnly: this.textOnly }
  }
}

/** Builds a tap over a converted stream's hub events. */
export function createHubTap(): HubTap {
  const tally = new HubTally()
  return {
    async *observe(events) {
      for await (const event of events) {
        tally.note(event)
        yield event
      }
    },
    result: () => tally.result(tally.finished && !tally.error),
    delivered: () => tally.delivered(),
  }
}

/**
 * Watches a passthrough stream through the dialect's own push decoder: each upstream event is decoded
 * once, for usage, output, errors and the end, while its bytes go to the client unchanged. An event the
 * decoder cannot read is refused (the stream ends with an error). The answer is complete at the client
 * dialect's final event when it has one (`[DONE]`, `message_stop`), else at the decoder's `finish`; an
 * error is reported beside it (the relay settles such a stream as an upstream error). Events the decoder
 * may defer (no usage, no error) are kept undecoded and decoded, all in order through a fresh decoder,
 * only when the stream reported no usage and its output must be counted. `result()` is for the end of
 * the stream: it takes what the decoder held until then.
 */
export function createDecoderTap(create: () => HubStreamDecoder, isFinalEvent: ((event: SseEvent) => boolean) | undefined): DeliveredTap {
  const decoder = create()
  const tally = new HubTally()
  // Every event, in order, while any was deferred: the recount needs them all.
  const seen: SseEvent[] = []
  let deferred = 0
  // Deferring leaves finishes undecoded, so only a dialect whose final event decides completion defers.
  const defers = decoder.canDefer !== undefined && isFinalEvent !== undefined
  let sawFinal = false
  let outcome: StreamTapResult | undefined
  return {
    onEvent(event) {
      if (isFinalEvent?.(event)) sawFinal = true
      if (defers) seen.push(event)
      if (defers && decoder.canDefer!(event)) {
        deferred += 1
        return true
      }
      for (const decoded of decoder.push(event)) {
        tally.note(decoded)
        if (isMalformedStreamEvent(decoded)) return false
      }
      return true
    },
    result() {
      if (outcome) return outcome
      // What the decoder holds until the upstream closes (Gemini's usage, Anthropic's implied finish).
      for (const decoded of decoder.end()) tally.note(decoded)
      const counted = tally.usage === undefined && deferred > 0 ? recount(create(), seen) : tally
      outcome = counted.result(isFinalEvent ? sawFinal : counted.finished)
      return outcome
    },
    delivered() {
      // Mid-stream: the decoder's own state is left alone; deferred events are decoded afresh, as result() would.
      return (deferred > 0 ? recount(create(), seen, false) : tally).delivered()
    },
  }
}

/** Decodes a whole stream's events in order, for a stream whose usage is missing and whose output must be counted. */
function recount(decoder: HubStreamDecoder, events: SseEvent[], ended = true): HubTally {
  const tally = new HubTally()
  for (const event of events) for (const decoded of decoder.push(event)) tally.note(decoded)
  if (ended) for (const decoded of decoder.end()) tally.note(decoded)
  return tally
}

/** A tap for a dialect that brings neither a push decoder nor a tap of its own (it never streams): sees nothing, ends complete. */
const blindTap = (): StreamTap => ({ onEvent: () => true, result: () => ({ outputText: '', toolCalls: 0, completed: true }) })

/** A 1.x tap, or the blind one: it cannot say what was delivered, so such a stream is never continued. */
const undelivered = (tap: StreamTap): DeliveredTap => ({ onEvent: (event) => tap.onEvent(event), result: () => tap.result(), delivered: () => undefined })

/**
 * How a passthrough stream in this dialect is watched: through its upstream role's push decoder (contract 1.3),
 * completed at its client role's final event; else the deprecated tap a 1.x plugin brings, else not at all.
 */
export function passthroughTap(dialect: PassthroughPair, env: ConversionEnv): DeliveredTap {
  const { client, upstream } = dialect
  const hub = upstream.hub
  if (hub?.createStreamDecoder) return createDecoderTap(() => hub.createStreamDecoder!(env), client.isFinalEvent)
  return undelivered(client.createStreamTap?.() ?? blindTap())
}
