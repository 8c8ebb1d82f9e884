import type { ClientDialect, StreamTap } from '@hanggent/plugin-sdk'
import { createSseParser, encodeSse, SseBufferOverflowError, type SseEvent } from '@hanggent/plugin-sdk'
import { watchIdle } from '../stream/idle-watch.ts'
import { GatewayError } from '../errors.ts'
import { handOver, idleTimeout, pumpContinuation, type StreamRelayOptions, transportCut, unrecordedAnswer } from './relay-stream.ts'

/** What a passthrough stream needs: the upstream's bytes and how to watch its events. */
export interface PassthroughStreamOptions
  extends Pick<StreamRelayOptions, 'hide' | 'codec' | 'abort' | 'idleTimeoutMs' | 'onFirstEvent' | 'onEnd' | 'internalError' | 'continueAfterCut'> {
  /** The upstream response body. */
  body: ReadableStream<Uint8Array>
  /** Watches each event on the side. */
  tap: StreamTap
  /** Largest event the parser may buffer (STREAM_SCANNER_MAX_BUFFER_MB). */
  maxBufferBytes: number
}

const encoder = new TextEncoder()
const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a

/** What one upstream read sends on: re-framed SSE text, or pieces of the upstream's own bytes. */
type Outgoing = string | Uint8Array[]

/**
 * Where each event of a read ends in the upstream's bytes, when they can be sent on as they came: the
 * read starts where the last one ended an event (the caller knows), holds no CR (so every event ends in
 * a blank line written as LF LF) and ends on such a blank line, and each blank-line-delimited piece is one
 * of the parser's events (a piece of comments or of fields without data yields none, and then the read
 * is re-framed instead).
 */
export function eventEnds(chunk: Uint8Array, eventCount: number): number[] | undefined {
  if (eventCount === 0 || !endsEvent(chunk)) return undefined
  const ends: number[] = []
  let start = 0
  while (start < chunk.length) {
    // A piece that opens with a blank line or a comment may carry no event of its own.
    if (chunk[start] === LF || chunk[start] === COLON) return undefined
    let end = chunk.indexOf(LF, start)
    while (chunk[end + 1] !== LF) end = chunk.indexOf(LF, end + 1)
    start = end + 2
    if (ends.push(start) > eventCount) return undefined
  }
  return ends.length === eventCount ? ends : undefined
}

/**
 * Relays a same-dialect stream one upstream read at a time: every event the read completed is
 * inspected, those the client did not ask for are dropped, and the rest go out together, as the
 * upstream's own bytes when the read holds whole events (see eventEnds), else re-framed. Pull-based,
 * so a slow client slows the upstream read instead of buffering. The client's final event is held
 * until the call's charge is durable (see StreamRelayOptions.onEnd); upstream faults end the stream
 * with an error event in the client's dialect, never a fake end marker.
 */
export function relayPassthroughStream(options: PassthroughStreamOptions): ReadableStream<Uint8Array> {
  const { codec, tap, abort } = options
  const reader = options.body.getReader()
  const events: SseEvent[] = []
  const parser = createSseParser((event) => events.push(event), { maxBufferBytes: options.maxBufferBytes })
  const idle = watchIdle(options.idleTimeoutMs, () => abort.abort('timeout'))
  let ended = false
  let delivered = false
  // The reads so far ended where an event did (the stream's start counts), so the next read's bytes begin with an event.
  let boundaryBefore = true
  let cancelled = false
  // The rest of the answer from another channel, after a cut.
  let rest: ReadableStreamDefaultReader<Uint8Array> | undefined

  function end(outcome: Parameters<StreamRelayOptions['onEnd']>[1], failure?: GatewayError): Promise<void> | void {
    if (ended) return
    ended = true
    idle.stop()
    return options.onEnd(tap.result(), outcome, failure)
  }

  /** Marks the time to first token, once: when the first event for the client is in hand, before settling may hold it. */
  function firstEvent() {
    if (delivered) return
    delivered = true
    options.onFirstEvent()
  }

  /** Sends what a read passes on, then `extra` (re-framed error or final events), as one or more chunks. */
  function send(controller: ReadableStreamDefaultController<Uint8Array>, out: Outgoing, extra = '') {
    if (out.length === 0 && extra === '') return
    firstEvent()
    enqueue(controller, out, extra)
  }

  function enqueue(controller: ReadableStreamDefaultController<Uint8Array>, out: Outgoing, extra: string) {
    if (typeof out === 'string') return controller.enqueue(encoder.encode(out + extra))
    for (const piece of out) controller.enqueue(piece)
    if (extra !== '') controller.enqueue(encoder.encode(extra))
  }

  /** Ends the stream with an error event; an error alone is not the answer's first token. */
  function fail(controller: ReadableStreamDefaultController<Uint8Array>, out: Outgoing, error: GatewayError, outcome: 'upstream-error' | 'timeout') {
    let text = ''
    for (const event of codec.renderStreamError(error)) text += encodeSse(event)
    enqueue(controller, out, text)
    controller.close()
    abort.abort('upstream')
    void reader.cancel().catch(() => undefined)
    void Promise.resolve(end(outcome, delivered ? undefined : error)).catch(() => undefined)
  }

  /**
   * After a cut: what this read completed goes out, then the rest of the answer from another channel if one takes
   * over (true); this stream then no longer settles. False when none does, with nothing sent.
   */
  async function continueAfter(controller: ReadableStreamDefaultController<Uint8Array>, out: Outgoing, error: unknown): Promise<boolean> {
    const cut = options.continueAfterCut ? transportCut(error, abort, options.idleTimeoutMs) : undefined
    if (!cut) return false
    idle.stop()
    const handed = await handOver(options, cut, () => cancelled)
    if (handed === undefined) return false
    ended = true
    abort.abort('upstream')
    void reader.cancel().catch(() => undefined)
    if (handed === 'cancelled') return true
    rest = handed
    try {
      send(controller, out)
    } catch {
      // The client left: the continuation's reader is cancelled with the stream.
    }
    await pumpContinuation(rest, controller)
    return true
  }

  /**
   * The answer is complete: settle, then send the held final event (or an error if settling failed). The
   * event goes as the upstream wrote it when the read's other events do.
   */
  async function finish(controller: ReadableStreamDefaultController<Uint8Array>, out: Outgoing, held: SseEvent | undefined, heldBytes?: Uint8Array) {
    const result = tap.result()
    let tail = ''
    try {
      await end(result.completed && !result.error ? 'completed' : 'upstream-error')
      if (heldBytes && typeof out !== 'string') out.push(heldBytes)
      else if (held) tail = encodeSse(held)
    } catch (error) {
      for (const event of codec.renderStreamError(unrecordedAnswer(error))) tail += encodeSse(event)
    }
    try {
      send(controller, out, tail)
      controller.close()
    } catch {
      // The client went away while the charge was being made durable.
    }
    void reader.cancel().catch(() => undefined)
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (rest) return pumpContinuation(rest, controller)
        for (;;) {
          let step: Awaited<ReturnType<typeof reader.read>>
          try {
            step = await reader.read()
            if (step.done) parser.end()
            else parser.push(step.value)
          } catch (error) {
            if (ended) return
            const failure = error instanceof SseBufferOverflowError ? error : readFailure(error)
            if (await continueAfter(controller, '', failure)) return
            if (ended) return
            if (abort.signal.reason === 'timeout') fail(controller, '', idleTimeout(options.idleTimeoutMs), 'timeout')
            else if (error instanceof SseBufferOverflowError)
              fail(controller, '', new GatewayError(502, 'bad_upstream_response', error.message), 'upstream-error')
            else fail(controller, '', readFailure(error), 'upstream-error')
            return
          }
          if (ended) return
          // Only a complete event is a sign of life: a drip of bytes that never completes one stays silence.
          if (events.length > 0) idle.touch()
          // Events go on as the upstream's own bytes when the read allows it (the common case: no encoding, no
          // copy when nothing is hidden), else re-framed; either way the client gets the same events.
          const ends = step.done || !boundaryBefore ? undefined : eventEnds(step.value, events.length)
          // A read eventEnds accepted ends an event; only another one needs the check of its own.
          if (!step.done) boundaryBefore = ends !== undefined || endsEvent(step.value)
          let out: Outgoing = ends ? [] : ''
          /** Where event `index` starts in this read's bytes (only when `ends` is known). */
          const startOf = (index: number) => (index === 0 ? 0 : ends![index - 1]!)
          // The run of this read's bytes going on as one piece: from runStart (-1: none open) to runEnd.
          let runStart = -1
          let runEnd = 0
          const closeRun = () => {
            if (runStart === -1 || typeof out === 'string') return
            out.push(step.value!.subarray(runStart, runEnd))
            runStart = -1
          }
          for (let index = 0; index < events.length; index++) {
            const event = events[index]!
            let wellFormed: boolean
            try {
              wellFormed = tap.onEvent(event)
            } catch (error) {
              // A tap that throws is the gateway's fault, not the upstream's: the client gets a generic error, the log the detail.
              events.length = 0
              closeRun()
              fail(controller, out, options.internalError(error), 'upstream-error')
              return
            }
            if (!wellFormed) {
              events.length = 0
              closeRun()
              const malformed = new GatewayError(502, 'bad_upstream_response', 'Upstream sent a malformed stream chunk')
              if ((await continueAfter(controller, out, malformed)) || ended) return
              fail(controller, out, malformed, 'upstream-error')
              return
            }
            if (options.hide?.(event)) {
              closeRun()
              continue
            }
            firstEvent()
            if (codec.isFinalEvent?.(event)) {
              // The dialect says nothing follows: settle now rather than wait for the upstream to close.
              events.length = 0
              closeRun()
              await finish(controller, out, event, ends && step.value!.subarray(startOf(index), ends[index]!))
              return
            }
            if (typeof out === 'string') out += encodeSse(event)
            else {
              if (runStart === -1) runStart = startOf(index)
              runEnd = ends![index]!
            }
          }
          events.length = 0
          closeRun()
          if (step.done) {
            await finish(controller, out, undefined)
            return
          }
          if (out.length > 0) {
            send(controller, out)
            return
          }
        }
      },
      async cancel() {
        cancelled = true
        if (rest) return rest.cancel()
        abort.abort('client')
        void Promise.resolve(end('client-aborted')).catch(() => undefined)
        await reader.cancel().catch(() => undefined)
      },
    },
    { highWaterMark: 0 },
  )
}

/** Whether a read ends with a blank line in LF form and holds no CR, leaving the parser between events. */
function endsEvent(chunk: Uint8Array): boolean {
  return chunk.length >= 2 && chunk[chunk.length - 1] === LF && chunk[chunk.length - 2] === LF && chunk.indexOf(CR) === -1
}

/** A failed upstream read as the client is told of it. */
function readFailure(error: unknown): GatewayError {
  return new GatewayError(502, 'upstream_error', `Upstream stream failed: ${error instanceof Error ? error.message : String(error)}`)
}
