// What every fake upstream needs to serve streams with faults: frame-by-frame bodies with pauses
// and connection resets, broken complete bodies, stream counting, and request body parsing.

type Json = Record<string, unknown>

const encoder = new TextEncoder()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Bun writes enqueued chunks lazily; without a pause a reset would come before the status line. */
const RESET_FLUSH_MS = 20

/** Counts streams in flight and streams the client abandoned. */
export class StreamTracker {
  open = 0
  aborted = 0

  /** Registers a stream; the returned function settles it once, as completed or aborted. */
  begin(): (outcome: 'completed' | 'aborted') => void {
    this.open += 1
    let settled = false
    return (outcome) => {
      if (settled) return
      settled = true
      this.open -= 1
      if (outcome === 'aborted') this.aborted += 1
    }
  }
}

/** The stream faults a scenario asks for: a pause between frames, a connection reset before frame `resetAt`. */
export interface StreamFaults {
  gapMs?: number
  resetAt?: number
}

/**
 * A body sent frame by frame. Erroring the body stream makes Bun drop the connection (with no reason
 * given it logs nothing), which is how a reset reaches the gateway.
 */
export function frameBody(frames: string[], faults: StreamFaults, signal: AbortSignal, tracker: StreamTracker): ReadableStream<Uint8Array> {
  const settle = tracker.begin()
  signal.addEventListener('abort', () => settle('aborted'), { once: true })
  const resetAt = faults.resetAt ?? -1
  let index = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (faults.gapMs && index > 0) await sleep(faults.gapMs)
      if (signal.aborted) return
      const frame = frames[index]
      if (index === resetAt) {
        settle('completed')
        await sleep(RESET_FLUSH_MS)
        controller.error()
      } else if (frame === undefined) {
        settle('completed')
        controller.close()
      } else {
        index += 1
        controller.enqueue(encoder.encode(frame))
      }
    },
    cancel() {
      settle('aborted')
    },
  })
}

/** A complete body that breaks after half of `text` (reset) or is cut short there (malformed). */
export function brokenBody(text: string, reset: boolean): ReadableStream<Uint8Array> {
  const half = encoder.encode(text.slice(0, Math.floor(text.length / 2)))
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(half)
      if (!reset) return controller.close()
      await sleep(RESET_FLUSH_MS)
      controller.error()
    },
  })
}

/** The raw body of a request and its JSON object, when it is one. */
export async function readRequestBody(request: Request): Promise<{ rawBody: string; body: Json | undefined }> {
  const rawBody = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
  try {
    const parsed: unknown = rawBody ? JSON.parse(rawBody) : undefined
    return { rawBody, body: parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : undefined }
  } catch {
    return { rawBody, body: undefined }
  }
}

/** The faults of a fake's scenario, whatever its union: `stream-gap` pauses, `reset-mid-stream` breaks. */
export function faultsOf(scenario: { kind: string; gapMs?: number; afterChunks?: number }): StreamFaults {
  if (scenario.kind === 'stream-gap') return { gapMs: scenario.gapMs }
  if (scenario.kind === 'reset-mid-stream') return { resetAt: scenario.afterChunks }
  return {}
}
