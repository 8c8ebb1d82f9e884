import { createSseParser, type SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'

// A stream's upstream answered 200, but nothing has reached the client yet: until its first SSE event
// arrives and reads as one of the dialect's events, a failure (a drip that never completes an event, a
// reset, a close, an event that is not the dialect's or an error the upstream reports in it) can still move
// the call to the next channel. This reads that far inside the attempt, under the attempt's deadline, and
// hands the relay a body that replays what was read and then continues.

/** How much is read while waiting for the first event before the relay takes over anyway (its scanner bounds the rest). */
const FIRST_EVENT_MAX_BYTES = 1024 * 1024

/** The blank lines that end an SSE event (LF, CRLF or CR line ends), as bytes: UTF-8 leaves CR and LF alone. */
const BLANK_LINES = ['\n\n', '\r\n\r\n', '\r\r'].map((text) => Buffer.from(text))

/** Where the first blank line at or after `from` ends in `bytes`, or its length when it holds none; found natively. */
function afterBlankLine(bytes: Uint8Array, from: number): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let end = bytes.byteLength
  for (const blank of BLANK_LINES) {
    const at = view.indexOf(blank, from)
    if (at !== -1) end = Math.min(end, at + blank.length)
  }
  return end
}

/** Judges the first event: the failure it stands for (retryable or not), or undefined when the stream may go on. */
export type FirstEventCheck = (event: SseEvent) => GatewayError | undefined

/**
 * Reads `body` up to the end of its first SSE event (comments are not events) and returns a body that yields
 * the same bytes, then the rest. Throws a retryable 502 when the upstream closes before any event, and what
 * `check` says of the first event; read errors (the deadline's abort, a reset) propagate for the caller to map.
 */
export async function awaitFirstEvent(body: ReadableStream<Uint8Array>, channelName: string, check?: FirstEventCheck): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader()
  const buffered: Uint8Array[] = []
  let size = 0
  let first: SseEvent | undefined
  const parser = createSseParser((event) => {
    first ??= event
  })
  try {
    while (first === undefined && size < FIRST_EVENT_MAX_BYTES) {
      const { done, value } = await reader.read()
      if (done) {
        throw new GatewayError(502, 'bad_upstream_response', 'The upstream closed its stream before sending an event', {
          retryable: true,
          cause: `channel "${channelName}" closed its stream before sending an event`,
        })
      }
      buffered.push(value)
      size += value.byteLength
      // Parsed a blank line at a time, so a read holding the whole answer costs the parse of its first event only.
      for (let from = 0; from < value.byteLength && first === undefined; ) {
        const end = afterBlankLine(value, from)
        parser.push(value.subarray(from, end))
        from = end
      }
    }
    const failure = first && check?.(first)
    if (failure) throw failure
  } catch (error) {
    void reader.cancel().catch(() => undefined)
    throw error
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = buffered.shift()
      if (next) return controller.enqueue(next)
      const step = await reader.read()
      if (step.done) controller.close()
      else controller.enqueue(step.value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}
