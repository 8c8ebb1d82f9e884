import type { ClientDialect, StreamTap } from '@hanggent/plugin-sdk'
import { createSseParser, encodeSse, SseBufferOverflowError, type SseEvent } from '@hanggent/plugin-sdk'
import { watchIdle } from '../stream/idle-watch.ts'
import { GatewayError } from '../errors.ts'
import { type StreamRelayOptions, unrecordedAnswer } from './relay-stream.ts'

/** What a passthrough stream needs: the upstream's bytes and how to watch its events. */
export interface PassthroughStreamOptions
  extends Pick<StreamRelayOptions, 'hide' | 'codec' | 'abort' | 'idleTimeoutMs' | 'onFirstEvent' | 'onEnd' | 'internalError'> {
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
        for (;;) {
          let step: Awaited<ReturnType<typeof reader.read>>
          try {
            step = await reader.read()
            if (step.done) parser.end()
            else parser.push(step.value)
          } catch (error) {
            if (ended) return
            if (abort.signal.reason === 'timeout')
              fail(
                controller,
                '',
                new GatewayError(504, 'upstream_timeout', `Upstream sent nothing for ${Math.round(options.idleTimeoutMs / 1000)} s`),
                'timeout',
              )
            else if (error instanceof SseBufferOverflowError)
              fail(controller, '', new GatewayError(502, 'bad_upstream_response', error.message), 'upstream-error')
            else
              fail(
                controller,
                '',
                new GatewayError(502, 'upstream_error', `Upstream stream failed: ${error instanceof Error ? error.message : String(error)}`),
                'upstream-error',
              )
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
              fail(controller, text, new GatewayError(502, 'bad_upstream_response', 'Upstream sent a malformed stream chunk'), 'upstream-error')
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
        abort.abort('client')
        void Promise.resolve(end('client-aborted')).catch(() => undefined)
        await reader.cancel().catch(() => undefined)
      },
    },
    { highWaterMark: 0 },
  )
}
