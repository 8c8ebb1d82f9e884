// The only place in the project that frames or parses Server-Sent Events.
// see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

/** One Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field, when present (Anthropic names every event; OpenAI names none). */
  event?: string
  /** The `data:` lines joined with `\n`. */
  data: string
  /** The `id:` field, when present. */
  id?: string
}

/** Raised when one line grows beyond the configured buffer (STREAM_SCANNER_MAX_BUFFER_MB). */
export class SseBufferOverflowError extends Error {}

/** A push parser: feed it chunks as they arrive, events come out through the callback. */
export interface SseParser {
  /** Feeds bytes or text; complete events are dispatched before it returns. */
  push(chunk: Uint8Array | string): void
  /** Flushes a final event that was not followed by a blank line. */
  end(): void
}

const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024

/** Builds an incremental SSE parser that handles any chunking, CR/LF/CRLF line ends and split UTF-8. */
export function createSseParser(onEvent: (event: SseEvent) => void, options: { maxBufferBytes?: number } = {}): SseParser {
  const maxBuffer = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES
  const decoder = new TextDecoder('utf-8')
  let pending = ''
  let skipLeadingLf = false
  let dataLines: string[] = []
  let eventName: string | undefined
  let eventId: string | undefined

  function dispatch() {
    if (dataLines.length > 0) {
      const event: SseEvent = { data: dataLines.join('\n') }
      if (eventName !== undefined) event.event = eventName
      if (eventId !== undefined) event.id = eventId
      onEvent(event)
    }
    dataLines = []
    eventName = undefined
    eventId = undefined
  }

  function line(text: string) {
    if (text === '') return dispatch()
    if (text.charCodeAt(0) === 58 /* : */) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1)
    if (field === 'data') dataLines.push(value)
    else if (field === 'event') eventName = value
    else if (field === 'id') eventId = value
  }

  function feed(text: string) {
    let start = 0
    if (skipLeadingLf && text.charCodeAt(0) === 10) start = 1
    skipLeadingLf = false
    for (let index = start; index < text.length; index++) {
      const code = text.charCodeAt(index)
      if (code !== 10 && code !== 13) continue
      line(pending + text.slice(start, index))
      pending = ''
      if (code === 13) {
        if (index + 1 === text.length) skipLeadingLf = true
        else if (text.charCodeAt(index + 1) === 10) index++
      }
      start = index + 1
    }
    if (start < text.length) {
      pending += text.slice(start)
      if (pending.length > maxBuffer) throw new SseBufferOverflowError(`An upstream stream line exceeded ${maxBuffer} bytes`)
    }
  }

  return {
    push(chunk) {
      feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    },
    end() {
      const rest = decoder.decode()
      if (rest) feed(rest)
      if (pending !== '') {
        line(pending)
        pending = ''
      }
      dispatch()
    },
  }
}

/** Yields events from a byte stream as soon as each is complete; releases the source if the consumer stops early. */
export async function* decodeSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options: { maxBufferBytes?: number } = {}): AsyncGenerator<SseEvent> {
  const ready: SseEvent[] = []
  const parser = createSseParser((event) => ready.push(event), options)
  const iterator = Symbol.asyncIterator in body ? (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]() : readerIterator(body as ReadableStream<Uint8Array>)
  let finished = false
  try {
    for (;;) {
      const { done, value } = await iterator.next()
      if (done) break
      parser.push(value)
      while (ready.length > 0) yield ready.shift() as SseEvent
    }
    finished = true
    parser.end()
    while (ready.length > 0) yield ready.shift() as SseEvent
  } finally {
    if (!finished) await iterator.return?.().catch(() => undefined)
  }
}

function readerIterator(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  const reader = stream.getReader()
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    async return() {
      await reader.cancel().catch(() => undefined)
      return { done: true, value: undefined }
    },
  }
}

/** Frames one event as SSE text. */
export function encodeSse(event: SseEvent): string {
  let text = ''
  if (event.event !== undefined) text += `event: ${event.event}\n`
  if (event.id !== undefined) text += `id: ${event.id}\n`
  for (const dataLine of event.data.split('\n')) text += `data: ${dataLine}\n`
  return `${text}\n`
}

const encoder = new TextEncoder()

/** Frames one event as UTF-8 bytes ready to enqueue on a response stream. */
export function encodeSseBytes(event: SseEvent): Uint8Array {
  return encoder.encode(encodeSse(event))
}
