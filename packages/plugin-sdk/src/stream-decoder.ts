// A dialect's stream decoder, fed one upstream event at a time. The same decoder serves both paths of
// a streamed call: converted calls pull hub events from it (decodeStreamWith turns it into the
// `decodeStream` generator), and passthrough calls push each upstream event into it while the raw
// bytes go to the client unchanged, so a dialect's events are parsed in one place only.
import type { Static, TObject } from '@sinclair/typebox'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import type { ValueError } from '@sinclair/typebox/errors'
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

/** A chunk jsonPushDecoder cannot use; `message` says what is wrong with it and becomes the malformedStreamEvent's message. */
export class MalformedChunk {
  /** @param message the sentence the client's error gives, naming the dialect and, for a wrong shape, the field. */
  constructor(readonly message: string) {}
}

/** The data of an event as one JSON object, or a MalformedChunk saying `message` (not JSON, or not an object). */
export function parseJsonChunk<T extends object>(data: string, message = 'Upstream sent a malformed stream chunk'): T | MalformedChunk {
  try {
    const value: unknown = JSON.parse(data)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as T
  } catch {}
  return new MalformedChunk(message)
}

/**
 * An event's data as one JSON chunk checked against the dialect's compiled chunk schema (compile it once, at
 * module load, with TypeCompiler.Compile), so the step reads typed members; a chunk of the wrong shape is a
 * MalformedChunk naming the dialect and the first member that is wrong; data that is not JSON at all is a
 * MalformedChunk saying `notJson`. Since contract 1.5.
 */
export function parseCheckedChunk<T extends TObject>(
  data: string,
  check: TypeCheck<T>,
  dialect: string,
  notJson = 'Upstream sent a malformed stream chunk',
): Static<T> | MalformedChunk {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return new MalformedChunk(notJson)
  }
  return check.Check(value) ? value : wrongShape(value, check, dialect)
}

/**
 * The most telling error: inside a union (a member that may be null, say), the error of the branch that got
 * deepest, the first branch on a tie (so a nullable string that is a number says "Expected string").
 */
function deepestError(error: ValueError): ValueError {
  let best: ValueError | undefined
  for (const branch of error.errors) {
    const first = branch.First()
    if (first && (!best || first.path.length > best.path.length)) best = first
  }
  return best ? deepestError(best) : error
}

/**
 * The MalformedChunk for a value its schema refuses: the member path and message of its first (deepest) error;
 * `what` names the value (a complete answer's decodeResult says `answer`).
 */
export function wrongShape(value: unknown, check: TypeCheck<TObject>, dialect: string, what = 'stream chunk'): MalformedChunk {
  const first = check.Errors(value).First()
  const error = first && deepestError(first)
  const where = error?.path ? `${error.path}: ` : ''
  return new MalformedChunk(`Upstream sent a malformed ${dialect} ${what}: ${where}${error?.message ?? 'wrong shape'}`)
}

/** How jsonPushDecoder reads one dialect's stream: each event's data is one JSON chunk. Since contract 1.5. */
export interface JsonPushDecoderSpec<Chunk extends object> {
  /** Optional event data that ends the stream without being parsed (OpenAI's `[DONE]`). */
  endMarker?: string
  /** The event's chunk, or a MalformedChunk (not JSON, or the wrong shape), which ends the stream. */
  parse(event: SseEvent): Chunk | MalformedChunk
  /** True when this chunk is the last one (the dialect's end event, or an error it reports); its step still runs. */
  isEnd(chunk: Chunk, event: SseEvent): boolean
  /** The hub events of one well-formed chunk. */
  step(chunk: Chunk, event: SseEvent): HubEvent[]
  /** The hub events owed when the upstream closes the stream before the end chunk; none by default. */
  finish?(): HubEvent[]
  /** Hub events given before a malformed chunk's error (e.g. usage held so far, so it is still billed); none by default. */
  beforeMalformed?(): HubEvent[]
  /** Passed through as HubStreamDecoder.canDefer. */
  canDefer?(event: SseEvent): boolean
}

/**
 * A push decoder for a dialect whose stream events each carry one JSON chunk: it keeps the `done` flag,
 * gives nothing once done, ends at the end marker, ends with malformedStreamEvent at a chunk `parse`
 * refuses, and leaves the dialect only its `step`. Since contract 1.5.
 */
export function jsonPushDecoder<Chunk extends object>(spec: JsonPushDecoderSpec<Chunk>): HubStreamDecoder {
  const { endMarker, parse, isEnd, step, finish, beforeMalformed } = spec
  let done = false
  const decoder: HubStreamDecoder = {
    get done() {
      return done
    },
    push(event) {
      if (done) return []
      if (endMarker !== undefined && event.data === endMarker) {
        done = true
        return []
      }
      const chunk = parse(event)
      if (chunk instanceof MalformedChunk) {
        done = true
        const failure = malformedStreamEvent(chunk.message)
        return beforeMalformed ? [...beforeMalformed(), failure] : [failure]
      }
      if (isEnd(chunk, event)) done = true
      return step(chunk, event)
    },
    end() {
      if (done) return []
      done = true
      return finish ? finish() : []
    },
  }
  if (spec.canDefer) decoder.canDefer = spec.canDefer
  return decoder
}
