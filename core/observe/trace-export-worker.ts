import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { randomHexId } from './trace-ids.ts'
import { recordToSpans, type SpanOrigin, type TraceRecord } from './trace-record.ts'

// The thread that turns the relay's trace records into spans and exports them with OpenTelemetry's
// OTLP/HTTP exporter (its batching, retries and wire encoding), so none of that runs on the event loop
// that serves requests. Started by tracing.ts; it holds nothing the gateway needs back but acks.

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
}

/** What the relay thread sends after setup: finished requests, or a flush/close to acknowledge. */
export type TraceExportRequest = { kind: 'records' /** A JSON array of TraceRecord. */; json: string } | { kind: 'flush' | 'close'; id: number }

/** What the worker answers: an acknowledged flush/close, or why an export failed. */
export type TraceExportReply = { kind: 'done'; id: number } | { kind: 'export-failed'; message: string }

/** Spans per OTLP request, as the SDK's batch processor sends them. */
const EXPORT_BATCH = 512
/** A partial batch leaves at most this long after its first span arrived. */
const EXPORT_DELAY_MS = 1000

let exporter: OTLPTraceExporter | undefined
let origin: SpanOrigin | undefined
let spans: ReadableSpan[] = []
let timer: ReturnType<typeof setTimeout> | undefined

self.onmessage = (event: MessageEvent<TraceExportSetup | TraceExportRequest>) => {
  const message = event.data
  if (message.kind === 'setup') {
    exporter = new OTLPTraceExporter({ url: `${message.endpoint}/v1/traces` })
    origin = {
      resource: resourceFromAttributes({ 'service.name': message.serviceName, 'service.version': message.version }),
      scope: { name: 'hanggent-api', version: message.version },
      newSpanId: () => randomHexId(8),
    }
    return
  }
  if (message.kind === 'records') {
    if (!origin) return
    for (const record of JSON.parse(message.json) as TraceRecord[]) spans.push(...recordToSpans(record, origin))
    exportFull()
    return
  }
  void settleAll(message.kind === 'close').then(() => self.postMessage({ kind: 'done', id: message.id } satisfies TraceExportReply))
}

/** Sends every complete batch now; a remainder waits for more records, its delay, or a flush. */
function exportFull(): void {
  while (spans.length >= EXPORT_BATCH) send(spans.splice(0, EXPORT_BATCH))
  if (spans.length > 0 && !timer) timer = setTimeout(sendRemainder, EXPORT_DELAY_MS)
}

/** Sends whatever spans wait, in batches. */
function sendRemainder(): void {
  if (timer) clearTimeout(timer)
  timer = undefined
  const rest = spans
  spans = []
  for (let index = 0; index < rest.length; index += EXPORT_BATCH) send(rest.slice(index, index + EXPORT_BATCH))
}

/** Hands one batch to the exporter, reporting a failure to the relay thread. */
function send(batch: ReadableSpan[]): void {
  exporter?.export(batch, (result) => {
    if (result.code === 0) return
    self.postMessage({ kind: 'export-failed', message: result.error?.message ?? 'OTLP export failed' } satisfies TraceExportReply)
  })
}

/** Exports what is left and waits for every request in flight; on close, stops the exporter. */
async function settleAll(closing: boolean): Promise<void> {
  sendRemainder()
  await exporter?.forceFlush().catch(() => {})
  if (closing) await exporter?.shutdown().catch(() => {})
}
