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
   * if it rejects, the client gets an error event instead of them.
   */
  onEnd(result: StreamTapResult, outcome: CallOutcome): Promise<void> | void
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
  // The client's "answer complete" event, held until the charge is durable.
  let held: SseEvent[] | undefined

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
        for (;;) {
          let next: IteratorResult<SseEvent>
          try {
            next = await source.next()
          } catch (error) {
            if (ended) return
            if (options.abort.signal.reason === 'timeout')
              fail(controller, new GatewayError(504, 'upstream_timeout', `Upstream sent nothing for ${Math.round(options.idleTimeoutMs / 1000)} s`), 'timeout')
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
        options.abort.abort('client')
        void Promise.resolve(end('client-aborted')).catch(() => undefined)
        await source.return?.(undefined).catch(() => undefined)
      },
    },
    { highWaterMark: 0 },
  )
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
