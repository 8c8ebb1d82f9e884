import { GatewayError } from '../errors.ts'

// A stream's upstream answered 200, but nothing has reached the client yet: until its first complete SSE
// event arrives, a failure (a drip that never completes an event, a reset, a close) can still move the call
// to the next channel. This reads that far inside the attempt, under the attempt's deadline, and hands the
// relay a body that replays what was read and then continues.

/** How much is read while waiting for the first event before the relay takes over anyway (its scanner bounds the rest). */
const FIRST_EVENT_MAX_BYTES = 1024 * 1024

/** True once `text` holds the blank line that ends an SSE event (LF, CRLF or CR line ends). */
function endsAnEvent(text: string): boolean {
  return /\n\n|\r\n\r\n|\r\r/.test(text)
}

/**
 * Reads `body` up to the end of its first SSE event and returns a body that yields the same bytes, then the
 * rest. Throws a retryable 502 when the upstream closes before any event; read errors (the deadline's abort,
 * a reset) propagate for the caller to map.
 */
export async function awaitFirstEvent(body: ReadableStream<Uint8Array>, channelName: string): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const buffered: Uint8Array[] = []
  let size = 0
  let tail = ''
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
    // The last three characters of the previous read are enough to see a blank line split across reads.
    const text = tail + decoder.decode(value, { stream: true })
    if (endsAnEvent(text) || size >= FIRST_EVENT_MAX_BYTES) break
    tail = text.slice(-3)
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
