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

/**
 * Relays a same-dialect stream one upstream read at a time: every event the read completed is
 * inspected, those the client did not ask for are dropped, and the rest go out as one write. Pull-based,
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
  let cancelled = false
  // The rest of the answer from another channel, after a cut.
  let rest: ReadableStreamDefaultReader<Uint8Array> | undefined

  function end(outcome: Parameters<StreamRelayOptions['onEnd']>[1]): Promise<void> | void {
    if (ended) return
    ended = true
    idle.stop()
    return options.onEnd(tap.result(), outcome)
  }

  /** Marks the time to first token, once: when the first event for the client is in hand, before settling may hold it. */
  function firstEvent() {
    if (delivered) return
    delivered = true
    options.onFirstEvent()
  }

  function send(controller: ReadableStreamDefaultController<Uint8Array>, text: string) {
    if (text === '') return
    firstEvent()
    controller.enqueue(encoder.encode(text))
  }

  function fail(controller: ReadableStreamDefaultController<Uint8Array>, text: string, error: GatewayError, outcome: 'upstream-error' | 'timeout') {
    for (const event of codec.renderStreamError(error)) text += encodeSse(event)
    controller.enqueue(encoder.encode(text))
    controller.close()
    abort.abort('upstream')
    void reader.cancel().catch(() => undefined)
    void Promise.resolve(end(outcome)).catch(() => undefined)
  }

  /**
   * After a cut: what this read completed goes out, then the rest of the answer from another channel if one takes
   * over (true); this stream then no longer settles. False when none does, with nothing sent.
   */
  async function continueAfter(controller: ReadableStreamDefaultController<Uint8Array>, text: string, error: unknown): Promise<boolean> {
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
      send(controller, text)
    } catch {
      // The client left: the continuation's reader is cancelled with the stream.
    }
    await pumpContinuation(rest, controller)
    return true
  }

  /** The answer is complete: settle, then send the held final events (or an error if settling failed). */
  async function finish(controller: ReadableStreamDefaultController<Uint8Array>, text: string, held: SseEvent[]) {
    const result = tap.result()
    let tail = ''
    try {
      await end(result.completed && !result.error ? 'completed' : 'upstream-error')
      for (const event of held) tail += encodeSse(event)
    } catch (error) {
      for (const event of codec.renderStreamError(unrecordedAnswer(error))) tail += encodeSse(event)
    }
    try {
      send(controller, text + tail)
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
          let text = ''
          for (let index = 0; index < events.length; index++) {
            const event = events[index]!
            let wellFormed: boolean
            try {
              wellFormed = tap.onEvent(event)
            } catch (error) {
              // A tap that throws is the gateway's fault, not the upstream's: the client gets a generic error, the log the detail.
              events.length = 0
              fail(controller, text, options.internalError(error), 'upstream-error')
              return
            }
            if (!wellFormed) {
              events.length = 0
              const malformed = new GatewayError(502, 'bad_upstream_response', 'Upstream sent a malformed stream chunk')
              if ((await continueAfter(controller, text, malformed)) || ended) return
              fail(controller, text, malformed, 'upstream-error')
              return
            }
            if (options.hide?.(event)) continue
            firstEvent()
            if (codec.isFinalEvent?.(event)) {
              // The dialect says nothing follows: settle now rather than wait for the upstream to close.
              events.length = 0
              await finish(controller, text, [event])
              return
            }
            text += encodeSse(event)
          }
          events.length = 0
          if (step.done) {
            await finish(controller, text, [])
            return
          }
          if (text !== '') {
            send(controller, text)
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

/** A failed upstream read as the client is told of it. */
function readFailure(error: unknown): GatewayError {
  return new GatewayError(502, 'upstream_error', `Upstream stream failed: ${error instanceof Error ? error.message : String(error)}`)
}
