import { GatewayError } from '../errors.ts'

// A stream's upstream answered 200, but nothing has reached the client yet: until its first complete SSE
// event arrives, a failure (a drip that never completes an event, a reset, a close) can still move the call
// to the next channel. This reads that far inside the attempt, under the attempt's deadline, and hands the
// relay a body that replays what was read and then continues.

/** How much is read while waiting for the first event before the relay takes over anyway (its scanner bounds the rest). */
const FIRST_EVENT_MAX_BYTES = 1024 * 1024

/** The blank lines that end an SSE event (LF, CRLF or CR line ends), as bytes: UTF-8 leaves CR and LF alone. */
const BLANK_LINES = ['\n\n', '\r\n\r\n', '\r\r'].map((text) => Buffer.from(text))

/** True when `bytes` holds a blank line; scanned natively, without decoding what the relay decodes again. */
function holdsBlankLine(bytes: Uint8Array): boolean {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return BLANK_LINES.some((blank) => view.includes(blank))
}

/**
 * Reads `body` up to the end of its first SSE event and returns a body that yields the same bytes, then the
 * rest. Throws a retryable 502 when the upstream closes before any event; read errors (the deadline's abort,
 * a reset) propagate for the caller to map.
 */
export async function awaitFirstEvent(body: ReadableStream<Uint8Array>, channelName: string): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader()
  const buffered: Uint8Array[] = []
  let size = 0
  // The last three bytes read: enough to see a blank line split across reads.
  let tail = new Uint8Array(0)
  for (;;) {
    const { done, value } = await reader.read()
    if (done) {
      throw new GatewayError(502, 'bad_upstream_response', 'The upstream closed its stream before sending an event', {
        retryable: true,
        cause: `channel "${channelName}" closed its stream before sending an event`,
      })
    }
    buffered.push(value)
    size += value.byteLength
    const ended = holdsBlankLine(value) || (tail.length > 0 && holdsBlankLine(Buffer.concat([tail, value.subarray(0, 3)])))
    if (ended || size >= FIRST_EVENT_MAX_BYTES) break
    tail = Buffer.concat([tail, value.subarray(-3)]).subarray(-3)
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
