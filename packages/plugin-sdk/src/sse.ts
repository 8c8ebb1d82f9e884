// The only place in the project that frames or parses Server-Sent Events.
// see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
// Deliberate differences from a browser EventSource: `id` is the event's own `id:` field (we never
// reconnect, so no last-event-id is carried forward), `retry:` is ignored, and `end()` dispatches a
// final event that lacks its blank line, because upstreams often omit it.

/** One Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field, when present (Anthropic names every event; OpenAI names none). */
  event?: string
  /** The `data:` lines joined with `\n`. */
  data: string
  /** The `id:` field, when present. */
  id?: string
}

/** Thrown when an unterminated line or an unfinished event outgrows `maxBufferBytes`; callers turn it into a stream error. */
export class SseBufferOverflowError extends Error {
  override name = 'SseBufferOverflowError'
}

/** A push parser: feed it chunks as they arrive, events come out through the callback. */
export interface SseParser {
  /** Feeds bytes or text; every event completed by this chunk is dispatched before it returns. */
  push(chunk: Uint8Array | string): void
  /** Flushes the last line and an event that was not followed by a blank line. */
  end(): void
}

/** Options of the SSE parser. */
export interface SseParserOptions {
  /** Most bytes an unterminated line plus the event's data so far (counted in characters) may hold; 64 MiB by default. */
  maxBufferBytes?: number
}

const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024
const LF = 10
const CR = 13
const SPACE = 32
const BYTE_ORDER_MARK = 0xfeff

/** Parser state; a class rather than a closure so the hot path reads plain fields. */
class IncrementalSseParser implements SseParser {
  // Bytes reach `feed` through a streaming decoder, so a character split across chunks decodes whole.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  // The unterminated tail of the input: one string, as the engine's ropes keep `+=` linear; its size
  // is counted in input bytes (UTF-16 units for string input).
  private pending = ''
  private pendingBytes = 0
  // The last chunk ended in CR, so an LF opening the next one completes the same line end.
  private afterCarriageReturn = false
  private atStreamStart = true
  private data: string | undefined
  private dataSize = 0
  private eventName: string | undefined
  private eventId: string | undefined

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxBufferBytes: number,
  ) {}

  push(chunk: Uint8Array | string): void {
    if (typeof chunk === 'string') this.feed(chunk)
    else this.feed(this.decoder.decode(chunk, { stream: true }))
    if (this.pending === '') this.pendingBytes = 0
    else {
      const tail = unterminatedTailLength(chunk)
      this.pendingBytes = tail === chunk.length ? this.pendingBytes + tail : tail
    }
    this.checkSize()
  }

  end(): void {
    this.feed(this.decoder.decode())
    if (this.pending !== '') {
      const last = this.pending
      this.pending = ''
      this.line(last)
    }
    this.pendingBytes = 0
    this.afterCarriageReturn = false
    this.dispatch()
  }

  /** Splits decoded text into lines; LF, CRLF and CR each end a line, a CRLF split across chunks included. */
  private feed(text: string): void {
    if (text === '') return
    let start = 0
    if (this.atStreamStart) {
      this.atStreamStart = false
      if (text.charCodeAt(0) === BYTE_ORDER_MARK) start = 1
    }
    if (this.afterCarriageReturn) {
      this.afterCarriageReturn = false
      if (text.charCodeAt(start) === LF) start++
    }
    let nextLf = text.indexOf('\n', start)
    let nextCr = text.indexOf('\r', start)
    while (nextLf !== -1 || nextCr !== -1) {
      const isCr = nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)
      const end = isCr ? nextCr : nextLf
      const head = text.slice(start, end)
      const line = this.pending === '' ? head : this.pending + head
      this.pending = ''
      this.pendingBytes = 0
      start = end + 1
      if (isCr) {
        if (start === text.length) this.afterCarriageReturn = true
        else if (text.charCodeAt(start) === LF) start++
        nextCr = text.indexOf('\r', start)
      }
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start)
      this.line(line)
    }
    if (start < text.length) this.pending += start === 0 ? text : text.slice(start)
  }

  /** Applies one complete line: a blank line dispatches, `:` starts a comment, anything else is a field. */
  private line(line: string): void {
    if (line === '') return this.dispatch()
    const colon = line.indexOf(':')
    if (colon === 0) return
    const field = colon === -1 ? line : line.slice(0, colon)
    let valueStart = colon === -1 ? line.length : colon + 1
    if (line.charCodeAt(valueStart) === SPACE) valueStart++
    const value = line.slice(valueStart)
    if (field === 'data') {
      this.data = this.data === undefined ? value : `${this.data}\n${value}`
      this.dataSize += value.length + 1
      this.checkSize()
    } else if (field === 'event') this.eventName = value
    else if (field === 'id' && !value.includes('\0')) this.eventId = value
  }

  /** Hands over the event built so far, if it has data, and starts a fresh one. */
  private dispatch(): void {
    const { data, eventName, eventId } = this
    this.data = this.eventName = this.eventId = undefined
    this.dataSize = 0
    if (data === undefined) return
    const event: SseEvent = { data }
    if (eventName !== undefined) event.event = eventName
    if (eventId !== undefined) event.id = eventId
    this.onEvent(event)
  }

  private checkSize(): void {
    if (this.pendingBytes + this.dataSize > this.maxBufferBytes) {
      throw new SseBufferOverflowError(`An SSE event grew beyond ${this.maxBufferBytes} bytes without ending`)
    }
  }
}

/** How many units at the end of a chunk follow its last CR or LF (all of them when it has none). */
function unterminatedTailLength(chunk: Uint8Array | string): number {
  let index = chunk.length - 1
  if (typeof chunk === 'string') while (index >= 0 && chunk.charCodeAt(index) !== LF && chunk.charCodeAt(index) !== CR) index--
  else while (index >= 0 && chunk[index] !== LF && chunk[index] !== CR) index--
  return chunk.length - index - 1
}

/** Builds an incremental SSE parser that handles any chunking, CR/LF/CRLF line ends and split UTF-8. */
export function createSseParser(onEvent: (event: SseEvent) => void, options: SseParserOptions = {}): SseParser {
  return new IncrementalSseParser(onEvent, options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES)
}

/** Yields events from a byte stream as soon as each is complete; cancels the source if the consumer stops early. */
export async function* decodeSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options: SseParserOptions = {}): AsyncGenerator<SseEvent> {
  const ready: SseEvent[] = []
  const parser = createSseParser((event) => ready.push(event), options)
  const source = 'getReader' in body ? readerIterator(body) : body[Symbol.asyncIterator]()
  let exhausted = false
  try {
    for (;;) {
      const step = await source.next()
      if (step.done) break
      parser.push(step.value)
      for (let index = 0; index < ready.length; index++) yield ready[index] as SseEvent
      ready.length = 0
    }
    exhausted = true
    parser.end()
    for (const event of ready) yield event
  } finally {
    if (!exhausted) await source.return?.().catch(() => undefined)
  }
}

/** Reads a stream through one reader: released when the stream ends, cancelled when the consumer stops. */
function readerIterator(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array, undefined> {
  const reader = stream.getReader()
  return {
    async next() {
      const step = await reader.read()
      if (step.done) reader.releaseLock()
      return step.done ? { done: true, value: undefined } : { done: false, value: step.value }
    },
    async return() {
      await reader.cancel()
      return { done: true, value: undefined }
    },
  }
}

// Line breaks inside data become separate `data:` lines; a lone CR would otherwise end the line early.
const LINE_BREAK = /\r\n|\r|\n/

/** Frames one event as SSE text; CR and CRLF inside `data` come back from a parser as `\n`. */
export function encodeSse(event: SseEvent): string {
  let head = ''
  if (event.event !== undefined) head += `event: ${event.event}\n`
  if (event.id !== undefined) head += `id: ${event.id}\n`
  const data = event.data
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) return `${head}data: ${data}\n\n`
  return `${head}data: ${data.split(LINE_BREAK).join('\ndata: ')}\n\n`
}

const encoder = new TextEncoder()

/** Frames one event as UTF-8 bytes ready to enqueue on a response stream. */
export function encodeSseBytes(event: SseEvent): Uint8Array {
  return encoder.encode(encodeSse(event))
}
