import { TraceFlags, type SpanContext } from '@opentelemetry/api'
import type { AttemptProbe, RelayObserver, RelayProbe, RelayStart, Settlement } from './relay-observer.ts'
import { randomHexId } from './trace-ids.ts'
import type { AttemptRecord, SettlementRecord, TraceRecord } from './trace-record.ts'
import { TraceRecordPacker } from './trace-transfer.ts'
import type { OtlpProtocol, TraceExportRequest, TraceExportReply, TraceExportSetup } from './trace-export-worker.ts'

// OpenTelemetry traces of relayed calls, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. One server
// span per request, parented by the client's W3C `traceparent` when it sends one, with child spans for
// auth, admission, each upstream attempt and settlement; each attempt's `traceparent` goes upstream
// (through the channel client) so the provider's spans join the trace. Spans leave in batches over
// OTLP/HTTP to `<endpoint>/v1/traces`, protobuf by default (the exporters' default), JSON on request.
//
// The relay thread only decides sampling, draws the ids that leave the process (the trace's and each
// attempt's) and notes times in a plain TraceRecord; records cross to a worker thread in batches packed
// as numbers (trace-transfer.ts), where otlp-json.ts writes them as OTLP spans and trace-export-worker.ts posts them. Live
// SDK spans on the relay thread cost more per request than the whole of the relay's own work at full
// load; the SDK's span objects and exporter in the worker cost twice what otlp-json.ts does. The
// OpenTelemetry API package is still used for the trace flags and span-context types.

/** A running tracer and how to flush or stop it. */
export interface GatewayTracing {
  /** Feeds spans from the relay. */
  observer: RelayObserver
  /** Sends every finished span now (tests, shutdown). */
  flush(): Promise<void>
  /** Flushes and stops exporting. */
  close(): Promise<void>
}

/** What tracing is built from. */
export interface TracingOptions {
  /** OTLP/HTTP base URL, e.g. `http://otel-collector:4318`. */
  endpoint: string
  /** service.name of the spans (OTEL_SERVICE_NAME, else 'hanggent-api'). */
  serviceName: string
  /** service.version. */
  version: string
  /** Share of new traces recorded (OTEL_TRACES_SAMPLER_ARG, 0–1; default 1); a client's sampled flag is followed. */
  sampleRatio?: number
  /** Extra headers of each export request (OTEL_EXPORTER_OTLP_HEADERS), e.g. a collector's API key. */
  headers?: Record<string, string>
  /** OTLP/HTTP encoding (OTEL_EXPORTER_OTLP_PROTOCOL); default 'http/protobuf', as OpenTelemetry's exporters default. */
  protocol?: OtlpProtocol
  /** Hears why an export failed (at most once a minute), so an unreachable collector shows in the logs. */
  onExportError?: (message: string) => void
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/** The span context a W3C `traceparent` header names, or undefined when it is absent or malformed (then a new trace starts). */
export function parseTraceparent(header: string | null): SpanContext | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null
  if (!match) return undefined
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined]
  // Version ff is invalid; version 00 has nothing after the flags; later versions may add fields.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true }
}

/** The W3C `traceparent` header naming a span as the parent of what the receiver does. */
export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & TraceFlags.SAMPLED).toString(16)}`
}

/** Records wait on the relay thread at most this long, or until this many are ready, before crossing to the worker. */
const BATCH_MS = 200
const BATCH_RECORDS = 256
const EXPORT_ERROR_EVERY_MS = 60_000
const WORKER_URL = new URL('./trace-export-worker.ts', import.meta.url).href

/** Starts the export worker (OTLP encoding and posting inside) and returns the relay's observer; the worker never keeps the process alive. */
export function createGatewayTracing(options: TracingOptions): GatewayTracing {
  // Bun's Worker has unref as Node's does; the DOM typings in scope do not list it.
  const worker = new Worker(WORKER_URL, { name: 'trace-export' }) as Worker & { unref(): void }
  worker.unref()
  const setup: TraceExportSetup = {
    kind: 'setup',
    endpoint: options.endpoint,
    serviceName: options.serviceName,
    version: options.version,
    timeOrigin: performance.timeOrigin,
    headers: options.headers,
    protocol: options.protocol ?? 'http/protobuf',
  }
  worker.postMessage(setup)
  const waiting = new Map<number, () => void>()
  let nextId = 1
  let lastErrorAt = Number.NEGATIVE_INFINITY
  worker.onmessage = (event: MessageEvent<TraceExportReply>) => {
    const reply = event.data
    if (reply.kind === 'export-failed') {
      if (Date.now() - lastErrorAt < EXPORT_ERROR_EVERY_MS) return
      lastErrorAt = Date.now()
      options.onExportError?.(reply.message)
      return
    }
    waiting.get(reply.id)?.()
    waiting.delete(reply.id)
  }

  const packer = new TraceRecordPacker()
  let timer: ReturnType<typeof setTimeout> | undefined
  const send = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    const packed = packer.take()
    // Numbers in a transferred buffer cross threads without a copy or a clone of objects.
    if (packed) worker.postMessage({ kind: 'records', packed } satisfies TraceExportRequest, [packed.numbers.buffer])
  }
  const finished = (record: TraceRecord) => {
    packer.add(record)
    if (packer.records >= BATCH_RECORDS) send()
    else if (!timer) {
      timer = setTimeout(send, BATCH_MS)
      timer.unref?.()
    }
  }
  const ask = (kind: 'flush' | 'close') =>
    new Promise<void>((resolve) => {
      send()
      const id = nextId++
      waiting.set(id, resolve)
      worker.postMessage({ kind, id } satisfies TraceExportRequest)
    })
  const ratio = options.sampleRatio ?? 1
  return {
    observer: { begin: (start) => tracingProbe(start, ratio, finished) },
    flush: () => ask('flush'),
    close: async () => {
      await ask('close')
      worker.terminate()
    },
  }
}

/** Whole microseconds of this thread's clock; the export worker adds this thread's timeOrigin. */
const now = () => Math.round(performance.now() * 1000)

/**
 * Whether a new trace is recorded at this ratio: its id's low 52 bits read as a fraction of 2^52 (the
 * random part of a W3C trace id), so every service sampling by trace id keeps the same traces.
 */
function sampledAt(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true
  return Number.parseInt(traceId.slice(-13), 16) / 2 ** 52 < ratio
}

/** The probe of one request: a recording one when the trace is sampled, else one that only propagates. */
function tracingProbe(start: RelayStart, ratio: number, finished: (record: TraceRecord) => void): RelayProbe {
  const parent = parseTraceparent(start.headers.get('traceparent'))
  const traceId = parent?.traceId ?? randomHexId(16)
  const sampled = parent ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0 : sampledAt(traceId, ratio)
  if (!sampled) return propagatingProbe(traceId)
  const record: TraceRecord = { route: start.route, dialect: start.dialect, traceId, start: now(), attempts: [], end: 0 }
  if (parent) record.parentSpanId = parent.spanId
  return new RecordingProbe(record, finished)
}

/**
 * The probe of a recorded request, noting times in its TraceRecord. A class, so a traced request costs
 * the relay thread one object and its record rather than a closure per step.
 */
class RecordingProbe implements RelayProbe {
  private over = false
  private answeredAt = -1
  constructor(
    private readonly record: TraceRecord,
    private readonly finished: (record: TraceRecord) => void,
  ) {}

  authenticated(): void {
    this.record.authEnd ??= now()
    this.record.admissionStart ??= this.record.authEnd
  }

  admitted(model: string, stream: boolean): void {
    this.record.model = model
    this.record.stream = stream
    this.record.admissionEnd ??= now()
  }

  attempt(channel: { id: number; type: string; upstreamModel: string }): AttemptProbe {
    const attempt: AttemptRecord = {
      spanId: randomHexId(8),
      channelId: channel.id,
      channelType: channel.type,
      upstreamModel: channel.upstreamModel,
      index: this.record.attempts.length + 1,
      start: now(),
    }
    this.record.attempts.push(attempt)
    return new AttemptTrace(attempt, `00-${this.record.traceId}-${attempt.spanId}-01`)
  }

  firstToken(): void {
    this.record.firstToken ??= now()
  }

  settling(): (result: Settlement | Error) => void {
    const settlement: SettlementRecord = { start: now() }
    this.record.settlement = settlement
    return (result) => {
      settlement.end = now()
      if (result instanceof Error) {
        settlement.error = result.message
        return
      }
      settlement.inputTokens = result.usage.inputTokens
      settlement.outputTokens = result.usage.outputTokens
      settlement.quota = result.quota
      settlement.outcome = result.outcome
    }
  }

  responded(status: number, code?: string): void {
    this.record.status = status
    if (code) this.record.code = code
    if (this.answeredAt >= 0) return
    this.answeredAt = now()
    this.endRoot()
  }

  closed(): void {
    if (this.over) return
    this.over = true
    const record = this.record
    const at = now()
    record.authEnd ??= at
    if (record.admissionStart !== undefined) record.admissionEnd ??= at
    if (record.settlement) record.settlement.end ??= at
    this.endRoot()
  }

  /**
   * The request's span ends once it is both answered and over: a non-stream call is over (settled)
   * just before the pipeline hands its answer back; a stream is answered first and over when settled.
   */
  private endRoot(): void {
    if (!this.over || this.answeredAt < 0) return
    this.record.end = Math.max(this.answeredAt, now())
    this.finished(this.record)
  }
}

/** One upstream attempt of a recorded request; its `traceparent` names the attempt's span. */
class AttemptTrace implements AttemptProbe {
  readonly headers: Record<string, string>
  constructor(
    private readonly attempt: AttemptRecord,
    traceparent: string,
  ) {
    this.headers = { traceparent }
  }

  end(result: { status: number; ok: boolean; code?: string }): void {
    const attempt = this.attempt
    attempt.end = now()
    attempt.status = result.status
    if (!result.ok) attempt.error = result.code ?? `HTTP ${result.status}`
  }
}

/** A probe for a trace that is not recorded: upstreams still get a `traceparent` (unsampled) so the trace id carries on. */
function propagatingProbe(traceId: string): RelayProbe {
  const nothing = () => {}
  return {
    authenticated: nothing,
    admitted: nothing,
    attempt: () => ({ headers: { traceparent: formatTraceparent({ traceId, spanId: randomHexId(8), traceFlags: TraceFlags.NONE }) }, end: nothing }),
    firstToken: nothing,
    settling: () => nothing,
    responded: nothing,
    closed: nothing,
  }
}
