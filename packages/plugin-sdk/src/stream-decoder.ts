// A dialect's stream decoder, fed one upstream event at a time. The same decoder serves both paths of
// a streamed call: converted calls pull hub events from it (decodeStreamWith turns it into the
// `decodeStream` generator), and passthrough calls push each upstream event into it while the raw
// bytes go to the client unchanged, so a dialect's events are parsed in one place only.
import type { ConversionEnv } from './contract.ts'
import type { HubEvent } from './hub.ts'
import type { SseEvent } from './sse.ts'

/** The error code a decoder gives an event it cannot read; passthrough refuses such an event instead of forwarding it. */
export const MALFORMED_STREAM_EVENT_CODE = 'bad_upstream_response'

/** Decodes one upstream stream into hub events, pushed one event at a time. Since contract 1.3. */
export interface HubStreamDecoder {
  /**
   * The hub events of one upstream event. A malformed event gives one `error` event with code
   * MALFORMED_STREAM_EVENT_CODE; an error the upstream reports gives an `error` event with its own code.
   * Once `done`, further events give nothing.
   */
  push(event: SseEvent): HubEvent[]
  /** The hub events owed when the upstream closes the stream (e.g. usage held until the end); nothing once `done`. */
  end(): HubEvent[]
  /** True once the dialect's stream is over (its end marker or an error): nothing after it is decoded. */
  readonly done: boolean
  /**
   * Optional, a cheap look at an event not yet pushed (a substring test, never a parse): true when it is a
   * well-formed object that gives no usage and no error and is not the end marker (output deltas, a
   * finish). A passthrough watcher of a dialect with a final event (DialectCodec.isFinalEvent, which then
   * decides completion) keeps such events undecoded and decodes them, in order, through a fresh decoder
   * only if the stream reports no usage; so a stream that reports its usage costs a parse of the events
   * that carry it. A false answer is always safe.
   */
  canDefer?(event: SseEvent): boolean
}

/** The `error` hub event for an upstream event the decoder cannot read. */
export function malformedStreamEvent(message = 'Upstream sent a malformed stream chunk'): HubEvent {
  return { type: 'error', status: 502, code: MALFORMED_STREAM_EVENT_CODE, message }
}

/** True for the event a decoder gives a malformed upstream event (see malformedStreamEvent). */
export function isMalformedStreamEvent(event: HubEvent): boolean {
  return event.type === 'error' && event.code === MALFORMED_STREAM_EVENT_CODE
}

/**
 * A `decodeStream` built from a push decoder: reads upstream events until the decoder is done or the
 * stream ends, and yields each event's hub events as soon as they are known.
 */
export function decodeStreamWith(
  create: (env: ConversionEnv) => HubStreamDecoder,
): (events: AsyncIterable<SseEvent>, env: ConversionEnv) => AsyncGenerator<HubEvent> {
  return async function* decodeStream(events, env) {
    const decoder = create(env)
    for await (const event of events) {
      yield* decoder.push(event)
      if (decoder.done) return
    }
    yield* decoder.end()
  }
}
