import type { ClientDialect, StreamTapResult } from '@hanggent/plugin-sdk'
import { encodeSseBytes, SseBufferOverflowError, type SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { watchIdle } from '../stream/idle-watch.ts'
import type { CallOutcome } from './settle.ts'

/**
 * The error a stream ends with when its charge could not be recorded: the store's own 503 when it
 * says why (Redis unreachable, the disk full), else a generic one; never charged either way.
 */
export function unrecordedAnswer(error: unknown): GatewayError {
  if (error instanceof GatewayError && error.code === 'billing_unavailable') return error
  return new GatewayError(503, 'billing_unavailable', 'The answer could not be recorded for billing; it was not charged')
}

/**
 * The rest of an answer written by another channel after the stream was cut (continue-stream.ts): client-dialect
 * events that carry on from what the client already has, with the merged result the call settles on.
 */
export interface Continuation {
  /** The continuation's events in the client's dialect, nothing the client already has repeated. */
  source: AsyncIterator<SseEvent>
  /** Aborts the continuation's upstream request (idle timeout, client gone). */
  abort: AbortController
  /** Events the client did not ask for. */
  hide?: (event: SseEvent) => boolean
  /** The whole answer's result (delivered part and continuation), once it is over. */
  result(): StreamTapResult
  /** Called once when the continuation is over, before the call settles: lets its upstream go. */
  release(): void
}

/**
 * The GatewayError of a cut that a continuation may repair: silence past the idle timeout, a failed read or a
 * malformed chunk. Not a buffer overflow, an error event the upstream sent, or the gateway's own fault.
 */
export function transportCut(error: unknown, abort: AbortController, idleTimeoutMs: number): GatewayError | undefined {
  if (abort.signal.reason === 'timeout') return idleTimeout(idleTimeoutMs)
  if (abort.signal.reason === 'client') return undefined
  if (error instanceof GatewayError && (error.code === 'upstream_error' || error.code === 'bad_upstream_response')) return error
  return undefined
}

/** The error of a stream silent past STREAMING_TIMEOUT. */
export function idleTimeout(idleTimeoutMs: number): GatewayError {
  return new GatewayError(504, 'upstream_timeout', `Upstream sent nothing for ${Math.round(idleTimeoutMs / 1000)} s`)
}

/**
 * Asks for a continuation of a cut stream and, when there is one, the reader of the rest of the client's stream: a
 * relayStream over the continuation's events with its own idle watch and abort, settling the call once at its end.
 * 'cancelled' when the client left while the continuation was being found (the continuation, if any, is aborted).
 */
export async function handOver(
  options: Pick<StreamRelayOptions, 'codec' | 'idleTimeoutMs' | 'internalError' | 'onEnd' | 'onFirstEvent' | 'continueAfterCut'>,
  cut: GatewayError,
  cancelled: () => boolean,
): Promise<ReadableStreamDefaultReader<Uint8Array> | 'cancelled' | undefined> {
  let continuation: Continuation | undefined
  try {
    continuation = await options.continueAfterCut?.(cut)
  } catch {
    continuation = undefined
  }
  if (!continuation) return cancelled() ? 'cancelled' : undefined
  if (cancelled()) {
    continuation.abort.abort('client')
    continuation.release()
    void continuation.source.return?.(undefined)?.catch(() => undefined)
    return 'cancelled'
  }
  const found = continuation
  return relayStream({
    source: found.source,
    inspect: () => true,
    hide: found.hide,
    result: () => found.result(),
    codec: options.codec,
    abort: found.abort,
    idleTimeoutMs: options.idleTimeoutMs,
    // Counts only when nothing was delivered before the cut (CallRecord.firstToken keeps the first mark).
    onFirstEvent: options.onFirstEvent,
    internalError: options.internalError,
    onEnd(result, outcome) {
      found.release()
      return options.onEnd(result, outcome)
    },
  }).getReader()
}

/** Moves the continuation's next bytes to the client's stream; closes it when the continuation is over. */
export async function pumpContinuation(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  controller: ReadableStreamDefaultController<Uint8Array>,
): Promise<void> {
  try {
    const step = await reader.read()
    if (step.done) controller.close()
    else controller.enqueue(step.value)
  } catch {
    // The client left while the continuation was read.
  }
}

/** What a relayed stream needs: client-dialect events and how to watch them. */
export interface StreamRelayOptions {
  /** Events in the client's dialect: upstream events as they are, or converted ones. */
  source: AsyncIterator<SseEvent>
  /** Observes each event before it is sent; false means it is malformed and ends the stream. */
  inspect(event: SseEvent): boolean
  /** Events the client did not ask for (e.g. a usage chunk the gateway forced). */
  hide?: (event: SseEvent) => boolean
  /** What was learned from the stream, once it is over. */
  result(): StreamTapResult
  /** The client's dialect, for rendering errors. */
  codec: ClientDialect
  /** Aborts the upstream request. */
  abort: AbortController
  /** Longest silence allowed between events (STREAMING_TIMEOUT). */
  idleTimeoutMs: number
  /** Called once, when the first event of the answer is ready for the client (time to first token). */
  onFirstEvent(): void
  /**
   * The client-facing form of anything thrown while relaying: a GatewayError as it is, anything else (the
   * gateway's own fault: a converter or a tap that threw) as a generic message, its detail logged.
   */
  internalError(error: unknown): GatewayError
  /**
   * Called exactly once when the stream is over, however it ended. When the upstream finished, the
   * final event(s) reach the client only after the returned promise resolves (the charge is durable);
   * if it rejects, the client gets an error event instead of them. `failure` is set when the gateway ended the
   * stream with its own error event before any event of the answer reached the client: the call failed, and is
   * refunded rather than billed (the passthrough relay sets it; a converted stream settles as before).
   */
  onEnd(result: StreamTapResult, outcome: CallOutcome, failure?: GatewayError): Promise<void> | void
  /**
   * Asked once when the stream is cut (transportCut), after its 200 went out: the rest of the answer from another
   * channel, or undefined (the client then gets the cut's error event, as without it).
   */
  continueAfterCut?(cut: GatewayError): Promise<Continuation | undefined>
}

/**
 * Relays a stream event by event. Pull-based, so a slow client slows the upstream read instead of
 * buffering. Upstream faults end the stream with a well-formed error event in the client's dialect,
 * never a fake end marker.
 */
export function relayStream(options: StreamRelayOptions): ReadableStream<Uint8Array> {
  const { source, codec } = options
  const idle = watchIdle(options.idleTimeoutMs, () => options.abort.abort('timeout'))
  let ended = false
  let delivered = false
  let cancelled = false
  // The client's "answer complete" event, held until the charge is durable.
  let held: SseEvent[] | undefined
  // The rest of the answer from another channel, after a cut.
  let rest: ReadableStreamDefaultReader<Uint8Array> | undefined

  /** Marks the time to first token, once, before anything that waits (the held final event waits for the charge). */
  function firstEvent() {
    if (delivered) return
    delivered = true
    options.onFirstEvent()
  }

  function end(outcome: CallOutcome): Promise<void> | void {
    if (ended) return
    ended = true
    idle.stop()
    return options.onEnd(options.result(), outcome)
  }

  function fail(controller: ReadableStreamDefaultController<Uint8Array>, error: GatewayError, outcome: CallOutcome) {
    for (const event of codec.renderStreamError(error)) controller.enqueue(encodeSseBytes(event))
    controller.close()
    options.abort.abort('upstream')
    void Promise.resolve(end(outcome)).catch(() => undefined)
  }

  /** After a cut: the rest of the answer from another channel, if one takes over (true); this stream then no longer settles. */
  async function continueAfter(controller: ReadableStreamDefaultController<Uint8Array>, cut: GatewayError): Promise<boolean> {
    idle.stop()
    const handed = await handOver(options, cut, () => cancelled)
    if (handed === undefined) return false
    ended = true
    options.abort.abort('upstream')
    void source.return?.(undefined)?.catch(() => undefined)
    if (handed === 'cancelled') return true
    rest = handed
    await pumpContinuation(rest, controller)
    return true
  }

  /** The upstream finished: settle, then release the held end of the answer (or an error if settling failed). */
  async function finish(controller: ReadableStreamDefaultController<Uint8Array>) {
    const result = options.result()
    let last = held ?? []
    try {
      await end(result.completed && !result.error ? 'completed' : 'upstream-error')
    } catch (error) {
      last = codec.renderStreamError(unrecordedAnswer(error))
    }
    try {
      for (const event of last) controller.enqueue(encodeSseBytes(event))
      controller.close()
    } catch {
      // The client went away while the charge was being made durable.
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (rest) return pumpContinuation(rest, controller)
        for (;;) {
          let next: IteratorResult<SseEvent>
          try {
            next = await source.next()
          } catch (error) {
            if (ended) return
            // Even with no event delivered yet (an encoder may hold back an empty first chunk): the 200 has gone out, so only a continuation can answer.
            const cut = options.continueAfterCut ? transportCut(error, options.abort, options.idleTimeoutMs) : undefined
            if (cut && (await continueAfter(controller, cut))) return
            if (ended) return
            if (options.abort.signal.reason === 'timeout') fail(controller, idleTimeout(options.idleTimeoutMs), 'timeout')
            else if (error instanceof SseBufferOverflowError) fail(controller, new GatewayError(502, 'bad_upstream_response', error.message), 'upstream-error')
            // Read failures arrive as GatewayErrors (upstreamChunks); anything else was thrown by the gateway's own code.
            else fail(controller, options.internalError(error), 'upstream-error')
            return
          }
          if (ended) return
          idle.touch()
          if (next.done) {
            await finish(controller)
            return
          }
          const event = next.value
          if (!options.inspect(event)) {
            fail(controller, new GatewayError(502, 'bad_upstream_response', 'Upstream sent a malformed stream chunk'), 'upstream-error')
            return
          }
          if (options.hide?.(event)) continue
          firstEvent()
          if (codec.isFinalEvent?.(event)) {
            // The dialect says nothing follows: settle now rather than wait for the upstream to close.
            held = [event]
            await finish(controller)
            void source.return?.(undefined)?.catch(() => undefined)
            return
          }
          controller.enqueue(encodeSseBytes(event))
          return
        }
      },
      async cancel() {
        cancelled = true
        if (rest) return rest.cancel()
        options.abort.abort('client')
        void Promise.resolve(end('client-aborted')).catch(() => undefined)
        await source.return?.(undefined).catch(() => undefined)
      },
    },
    { highWaterMark: 0 },
  )
}

/** An upstream response's body, or an empty stream when it has none (a 200 without a body is an answer that ends at once). */
export function responseBody(response: Response): ReadableStream<Uint8Array> {
  return response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
}

/**
 * The upstream body's chunks, for decoders. A failed read (connection reset, abort) becomes a
 * GatewayError saying so, which tells it apart from an exception thrown by the gateway's own code.
 */
export async function* upstreamChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader()
  let finished = false
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof reader.read>>
      try {
        step = await reader.read()
      } catch (error) {
        finished = true
        throw new GatewayError(502, 'upstream_error', `Upstream stream failed: ${error instanceof Error ? error.message : String(error)}`)
      }
      if (step.done) {
        finished = true
        return
      }
      yield step.value
    }
  } finally {
    // The consumer stopped early: the upstream need not send the rest.
    if (!finished) await reader.cancel().catch(() => undefined)
  }
}
