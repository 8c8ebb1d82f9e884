import type { DialectCodec, StreamTapResult } from '../plugin/define-plugin.ts'
import { decodeSse, encodeSseBytes, type SseEvent } from '../stream/sse.ts'
import { GatewayError } from '../errors.ts'
import type { UpstreamSuccess } from './call-upstream.ts'
import type { CallOutcome } from './settle.ts'

/** What a relayed stream needs besides the upstream response. */
export interface StreamRelayOptions {
  upstream: UpstreamSuccess
  codec: DialectCodec
  /** Longest silence allowed between upstream events (STREAMING_TIMEOUT). */
  idleTimeoutMs: number
  /** Longest single SSE line accepted (STREAM_SCANNER_MAX_BUFFER_MB). */
  maxBufferBytes: number
  /** Called once, when the first event reaches the client. */
  onFirstEvent(): void
  /** Called exactly once when the stream is over, however it ended. */
  onEnd(result: StreamTapResult, outcome: CallOutcome): void
}

class IdleTimeout extends Error {}

async function nextWithin<T>(iterator: AsyncIterator<T>, timeoutMs: number, onTimeout: () => void): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout()
      reject(new IdleTimeout('upstream stream went silent'))
    }, timeoutMs)
  })
  try {
    return await Promise.race([iterator.next(), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Relays an upstream SSE stream event by event in the client's dialect (same dialect: unchanged
 * events), reading usage on the side. Pull-based, so a slow client slows the upstream read instead of
 * buffering. Upstream faults end the stream with a well-formed error event, never a fake `[DONE]`.
 */
export function relayStream(options: StreamRelayOptions): ReadableStream<Uint8Array> {
  const { upstream, codec } = options
  const tap = codec.createStreamTap()
  const body = upstream.response.body
  const events: AsyncIterator<SseEvent> = body ? decodeSse(body, { maxBufferBytes: options.maxBufferBytes })[Symbol.asyncIterator]() : (async function* () {})()
  let ended = false
  let delivered = false

  function end(outcome: CallOutcome) {
    if (ended) return
    ended = true
    upstream.release()
    options.onEnd(tap.result(), outcome)
  }

  function fail(controller: ReadableStreamDefaultController<Uint8Array>, error: GatewayError, outcome: CallOutcome) {
    for (const event of codec.renderStreamError(error)) controller.enqueue(encodeSseBytes(event))
    controller.close()
    upstream.abort.abort('upstream')
    end(outcome)
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: IteratorResult<SseEvent>
        try {
          next = await nextWithin(events, options.idleTimeoutMs, () => upstream.abort.abort('timeout'))
        } catch (error) {
          if (ended) return
          if (error instanceof IdleTimeout) fail(controller, new GatewayError(504, 'upstream_timeout', `Upstream sent nothing for ${Math.round(options.idleTimeoutMs / 1000)} s`), 'timeout')
          else fail(controller, new GatewayError(502, 'upstream_error', `Upstream stream failed: ${error instanceof Error ? error.message : String(error)}`), 'upstream-error')
          return
        }
        if (ended) return
        if (next.done) {
          controller.close()
          end(tap.result().completed ? 'completed' : 'upstream-error')
          return
        }
        const event = next.value
        if (!tap.onEvent(event)) {
          fail(controller, new GatewayError(502, 'bad_upstream_response', 'Upstream sent a malformed stream chunk'), 'upstream-error')
          return
        }
        if (upstream.prepared.hideEvent?.(event)) continue
        if (!delivered) {
          delivered = true
          options.onFirstEvent()
        }
        controller.enqueue(encodeSseBytes(event))
        return
      }
    },
    async cancel() {
      upstream.abort.abort('client')
      end('client-aborted')
      await events.return?.(undefined).catch(() => undefined)
    },
  }, { highWaterMark: 0 })
}
