import { OtlpJsonBatch, type OtlpOrigin } from './otlp-json.ts'
import { OtlpProtoBatch, type OtlpBatch } from './otlp-proto.ts'
import { type PackedRecords, TraceRecordUnpacker } from './trace-transfer.ts'

// The thread that writes the relay's trace records as OTLP/HTTP protobuf (otlp-proto.ts) or JSON
// (otlp-json.ts) and posts them to
// the collector, in large batches, retrying what the collector asks to be retried, so none of that runs
// on the event loop that serves requests. Started by tracing.ts; it holds nothing the gateway needs back
// but acks. It replaces the OpenTelemetry SDK's span objects and OTLP exporter: same spans on the wire,
// this thread's CPU per traced request down from ~22 µs to ~11 µs (scripts/bench/trace-cost.ts).

declare const self: Worker

/** The first message: where spans go and what service they come from. */
export interface TraceExportSetup {
  kind: 'setup'
  /** OTLP/HTTP base URL. */
  endpoint: string
  /** service.name. */
  serviceName: string
  /** service.version. */
  version: string
  /** The relay thread's performance.timeOrigin (epoch ms): record times are microseconds after it. */
  timeOrigin: number
  /** Extra request headers for the collector (OTEL_EXPORTER_OTLP_HEADERS), e.g. an API key. */
  headers?: Record<string, string>
  /** The OTLP/HTTP encoding (OTEL_EXPORTER_OTLP_PROTOCOL). */
  protocol: OtlpProtocol
}

/** OTLP/HTTP's two encodings, named as OTEL_EXPORTER_OTLP_PROTOCOL names them. */
export type OtlpProtocol = 'http/protobuf' | 'http/json'

/** Each encoding's content type. */
const CONTENT_TYPES: Record<OtlpProtocol, string> = { 'http/protobuf': 'application/x-protobuf', 'http/json': 'application/json' }

/** What the relay thread sends after setup: finished requests, or a flush/close to acknowledge. */
export type TraceExportRequest =
  | { kind: 'records' /** Finished requests, packed by trace-transfer.ts. */; packed: PackedRecords }
  | { kind: 'flush' | 'close'; id: number }

/** What the worker answers: an acknowledged flush/close, or why an export failed. */
export type TraceExportReply = { kind: 'done'; id: number } | { kind: 'export-failed'; message: string }

/** Spans per OTLP request: large batches spread the HTTP request's cost; ~0.8 MB of JSON (~0.2 MB of protobuf), far below collectors' body limits. */
const EXPORT_SPANS = 2048
/** A partial batch leaves at most this long after its first span arrived. */
const EXPORT_DELAY_MS = 1000
/** Exports waiting on the collector at once; past this a batch is dropped (a collector that is down must not grow the heap). */
const MAX_IN_FLIGHT = 16
/** Tries per batch, the wait before the second, its growth, and its cap (unless the collector's Retry-After says longer). */
const TRIES = 5
const FIRST_RETRY_MS = 1000
const RETRY_GROWTH = 1.5
const MAX_RETRY_MS = 5000
/** A batch's time limit, its retries included (as the SDK's exporter had it), so a collector that is down holds shutdown at most this long. */
const TIMEOUT_MS = 10_000
/** Statuses OTLP/HTTP says to retry. see https://opentelemetry.io/docs/specs/otlp/#retryable-response-codes */
const RETRYABLE = new Set([429, 502, 503, 504])

let target: { url: string; headers: Record<string, string> } | undefined
let origin: OtlpOrigin | undefined
let protocol: OtlpProtocol = 'http/protobuf'
let batch: OtlpBatch | undefined
/** Buffers of sent batches, for the next batches to write into. */
const spareBuffers: Uint8Array<ArrayBuffer>[] = []
const SPARE_BUFFERS = 4
let timer: ReturnType<typeof setTimeout> | undefined
const unpacker = new TraceRecordUnpacker()
const inFlight = new Set<Promise<void>>()

self.onmessage = (event: MessageEvent<TraceExportSetup | TraceExportRequest>) => {
  const message = event.data
  if (message.kind === 'setup') {
    protocol = message.protocol
    target = { url: `${message.endpoint}/v1/traces`, headers: { ...message.headers, 'content-type': CONTENT_TYPES[protocol] } }
    origin = {
      serviceName: message.serviceName,
      version: message.version,
      timeOriginMicros: Math.round(message.timeOrigin * 1000),
      fillRandom: (bytes) => crypto.getRandomValues(bytes),
    }
    return
  }
  if (message.kind === 'records') {
    if (!origin) return
    const packed = message.packed
    if (protocol === 'http/protobuf') {
      // Protobuf is written from the packed numbers in place; JSON from unpacked records.
      unpacker.learn(packed)
      const text = (slot: number) => unpacker.text(slot)
      for (let at = 0; at < packed.length; ) {
        const protoBatch = batch instanceof OtlpProtoBatch ? batch : new OtlpProtoBatch(origin, spareBuffers.pop())
        batch = protoBatch
        at = protoBatch.addPacked(packed.numbers, at, text)
        if (protoBatch.spans >= EXPORT_SPANS) sendBatch()
      }
    } else
      for (const record of unpacker.unpack(packed)) {
        const jsonBatch = batch instanceof OtlpJsonBatch ? batch : new OtlpJsonBatch(origin, spareBuffers.pop())
        batch = jsonBatch
        jsonBatch.add(record)
        if (jsonBatch.spans >= EXPORT_SPANS) sendBatch()
      }
    if (batch && !timer) timer = setTimeout(sendBatch, EXPORT_DELAY_MS)
    return
  }
  void settleAll().then(() => self.postMessage({ kind: 'done', id: message.id } satisfies TraceExportReply))
}

/** Sends the batch being filled, if any. */
function sendBatch(): void {
  if (timer) clearTimeout(timer)
  timer = undefined
  const full = batch
  batch = undefined
  if (!full || !target) return
  if (inFlight.size >= MAX_IN_FLIGHT) {
    failed(`${full.spans} spans dropped: ${MAX_IN_FLIGHT} exports already wait on the collector`)
    return
  }
  const done: Promise<void> = post(full.body(), target).then(
    (problem) => {
      inFlight.delete(done)
      if (spareBuffers.length < SPARE_BUFFERS) spareBuffers.push(full.buffer)
      if (problem) failed(problem)
    },
    () => {
      inFlight.delete(done)
    },
  )
  inFlight.add(done)
}

/** Posts one body, retrying retryable statuses and network faults; resolves to why it failed, or undefined. */
async function post(body: Uint8Array<ArrayBuffer>, to: { url: string; headers: Record<string, string> }): Promise<string | undefined> {
  let problem = ''
  let waitMs = FIRST_RETRY_MS
  const giveUpAt = Date.now() + TIMEOUT_MS
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    let retryAfterMs: number | undefined
    try {
      const signal = AbortSignal.timeout(Math.max(1, giveUpAt - Date.now()))
      const response = await fetch(to.url, { method: 'POST', headers: to.headers, body, signal })
      await response.arrayBuffer()
      if (response.ok) return undefined
      problem = `OTLP collector answered ${response.status} ${response.statusText}`.trim()
      if (!RETRYABLE.has(response.status)) return problem
      retryAfterMs = retryAfter(response.headers.get('retry-after'))
    } catch (error) {
      problem = `OTLP export to ${to.url} failed: ${error instanceof Error ? error.message : String(error)}`
    }
    const pauseMs = retryAfterMs ?? waitMs * (0.8 + Math.random() * 0.4)
    if (attempt === TRIES || Date.now() + pauseMs >= giveUpAt) break
    await Bun.sleep(pauseMs)
    waitMs = Math.min(MAX_RETRY_MS, waitMs * RETRY_GROWTH)
  }
  return problem
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds, at most a minute; undefined when absent or unreadable. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now()
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(0, ms)) : undefined
}

/** Tells the relay thread an export failed (it logs at most one a minute). */
function failed(message: string): void {
  self.postMessage({ kind: 'export-failed', message } satisfies TraceExportReply)
}

/** Exports what is left and waits for every export in flight. */
async function settleAll(): Promise<void> {
  sendBatch()
  while (inFlight.size > 0) await Promise.all([...inFlight])
}
