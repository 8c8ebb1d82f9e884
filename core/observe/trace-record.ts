import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanContext, type SpanStatus } from '@opentelemetry/api'
import type { InstrumentationScope } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace'

// What the relay thread records of one traced request: ids and times, plain data that crosses to the
// trace export worker by structured clone. The worker turns each record into the request's spans
// (the request's own span, auth, admission, one per upstream attempt, settlement) and hands them to
// the OpenTelemetry OTLP exporter. Building spans there instead of with the SDK's live Span objects
// keeps span bookkeeping, attribute cleaning and OTLP encoding off the event loop that serves requests.

/** One upstream attempt of a traced request. */
export interface AttemptRecord {
  /** The attempt span's id, already sent upstream in `traceparent`. */
  spanId: string
  /** Channel id. */
  channelId: number
  /** Channel type. */
  channelType: string
  /** The model named upstream. */
  upstreamModel: string
  /** 1 for the first channel tried, 2 for the first failover… */
  index: number
  /** Epoch milliseconds when the attempt began. */
  start: number
  /** Epoch milliseconds when it answered or failed; the request's end when it never reported. */
  end?: number
  /** The upstream's status, or the gateway's for a network fault or timeout. */
  status?: number
  /** Why the attempt failed, when it did. */
  error?: string
}

/** What a settlement recorded. */
export interface SettlementRecord {
  /** Epoch milliseconds when settlement began. */
  start: number
  /** Epoch milliseconds when it finished or was cut. */
  end?: number
  /** The settlement's error message, when it failed. */
  error?: string
  /** Input tokens billed. */
  inputTokens?: number
  /** Output tokens billed. */
  outputTokens?: number
  /** Quota units charged. */
  quota?: number
  /** How the answer ended ('completed', 'client-aborted', …). */
  outcome?: string
}

/** One traced relay request, as the relay thread saw it (all times in epoch milliseconds, fractional). */
export interface TraceRecord {
  /** The route pattern, for the span name and `http.route`. */
  route: string
  /** The client's dialect. */
  dialect: string
  /** The trace id (the client's, or a new one). */
  traceId: string
  /** The request span's own id. */
  spanId: string
  /** The client's span id when it sent a `traceparent`. */
  parentSpanId?: string
  /** When the request arrived. */
  start: number
  /** When authentication finished (or the request ended first). */
  authEnd?: number
  /** When admission began (after authentication). */
  admissionStart?: number
  /** When admission finished. */
  admissionEnd?: number
  /** The model the call was admitted for. */
  model?: string
  /** Whether the client asked for a stream. */
  stream?: boolean
  /** Upstream attempts, in order. */
  attempts: AttemptRecord[]
  /** When the first streamed event was ready for the client. */
  firstToken?: number
  /** The settlement, when there was one. */
  settlement?: SettlementRecord
  /** The status the client got. */
  status?: number
  /** The error code the client got, if any. */
  code?: string
  /** When the request was both answered and over. */
  end: number
}

/** Epoch milliseconds as OpenTelemetry's [seconds, nanoseconds]. */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000)
  return [seconds, Math.min(999_999_999, Math.round((epochMs - seconds * 1000) * 1e6))]
}

/** What every span of one process shares. */
export interface SpanOrigin {
  /** The service's resource (service.name, service.version). */
  resource: Resource
  /** The tracer's name and version. */
  scope: InstrumentationScope
  /** A fresh random span id (16 hex digits), for the children nobody outside the trace refers to. */
  newSpanId(): string
}

const OK: SpanStatus = { code: SpanStatusCode.UNSET }

/** The spans of one recorded request, ready for an OTLP exporter. */
export function recordToSpans(record: TraceRecord, origin: SpanOrigin): ReadableSpan[] {
  const sampled = TraceFlags.SAMPLED
  const rootContext: SpanContext = { traceId: record.traceId, spanId: record.spanId, traceFlags: sampled }
  const clientParent: SpanContext | undefined = record.parentSpanId
    ? { traceId: record.traceId, spanId: record.parentSpanId, traceFlags: sampled, isRemote: true }
    : undefined
  const spans: ReadableSpan[] = []
  const span = (
    name: string,
    kind: SpanKind,
    id: string,
    parent: SpanContext | undefined,
    start: number,
    end: number,
    attributes: Attributes,
    status = OK,
    events: TimedEvent[] = [],
  ) =>
    spans.push(
      readableSpan(
        { name, kind, context: { traceId: record.traceId, spanId: id, traceFlags: sampled }, parent, start, end, attributes, status, events },
        origin,
      ),
    )
  const rootAttributes: Attributes = { 'http.route': record.route, 'hanggent.dialect': record.dialect }
  if (record.model !== undefined) rootAttributes['gen_ai.request.model'] = record.model
  if (record.stream !== undefined) rootAttributes['hanggent.stream'] = record.stream
  let rootStatus = OK
  if (record.status !== undefined) {
    rootAttributes['http.response.status_code'] = record.status
    if (record.status >= 500) rootStatus = { code: SpanStatusCode.ERROR, message: record.code ?? `HTTP ${record.status}` }
    else if (record.code) rootAttributes['hanggent.error_code'] = record.code
  }
  const rootEvents: TimedEvent[] =
    record.firstToken === undefined ? [] : [{ name: 'first token', time: toHrTime(record.firstToken), droppedAttributesCount: 0 }]
  span(`relay ${record.route}`, SpanKind.SERVER, record.spanId, clientParent, record.start, record.end, rootAttributes, rootStatus, rootEvents)
  span('auth', SpanKind.INTERNAL, origin.newSpanId(), rootContext, record.start, record.authEnd ?? record.end, {})
  if (record.admissionStart !== undefined)
    span('admission', SpanKind.INTERNAL, origin.newSpanId(), rootContext, record.admissionStart, record.admissionEnd ?? record.end, {})
  for (const attempt of record.attempts) {
    const attributes: Attributes = {
      'hanggent.channel.id': attempt.channelId,
      'hanggent.channel.type': attempt.channelType,
      'hanggent.upstream_model': attempt.upstreamModel,
      'hanggent.attempt': attempt.index,
    }
    if (attempt.status !== undefined) attributes['http.response.status_code'] = attempt.status
    const status = attempt.error ? { code: SpanStatusCode.ERROR, message: attempt.error } : OK
    span('upstream attempt', SpanKind.CLIENT, attempt.spanId, rootContext, attempt.start, attempt.end ?? record.end, attributes, status)
  }
  const settlement = record.settlement
  if (settlement) {
    const attributes: Attributes = {}
    if (settlement.error === undefined && settlement.quota !== undefined) {
      attributes['gen_ai.usage.input_tokens'] = settlement.inputTokens ?? 0
      attributes['gen_ai.usage.output_tokens'] = settlement.outputTokens ?? 0
      attributes['hanggent.quota'] = settlement.quota
      attributes['hanggent.outcome'] = settlement.outcome ?? ''
    }
    const status = settlement.error !== undefined ? { code: SpanStatusCode.ERROR, message: settlement.error } : OK
    span('settlement', SpanKind.INTERNAL, origin.newSpanId(), rootContext, settlement.start, settlement.end ?? record.end, attributes, status)
  }
  return spans
}

interface SpanParts {
  name: string
  kind: SpanKind
  context: SpanContext
  parent: SpanContext | undefined
  start: number
  end: number
  attributes: Attributes
  status: SpanStatus
  events: TimedEvent[]
}

/** A finished span as the SDK's exporters read it. */
function readableSpan(parts: SpanParts, origin: SpanOrigin): ReadableSpan {
  const end = Math.max(parts.end, parts.start)
  return {
    name: parts.name,
    kind: parts.kind,
    spanContext: () => parts.context,
    parentSpanContext: parts.parent,
    startTime: toHrTime(parts.start),
    endTime: toHrTime(end),
    duration: durationHrTime(end - parts.start),
    status: parts.status,
    attributes: parts.attributes,
    links: [],
    events: parts.events,
    ended: true,
    resource: origin.resource,
    instrumentationScope: origin.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }
}

/** A duration in milliseconds as [seconds, nanoseconds]. */
function durationHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000)
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)]
}
