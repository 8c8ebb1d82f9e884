import type { Server } from 'bun'
import { decodeOtlpExport } from './otlp-proto-decode.ts'

// A fake OpenTelemetry collector on 127.0.0.1: accepts OTLP/HTTP trace exports (protobuf or JSON,
// decoded by otlp-proto-decode.ts) on POST /v1/traces and keeps the spans, flattened, so tests can
// check names, parents and attributes.
// see https://opentelemetry.io/docs/specs/otlp/#otlphttp (JSON encoding: ids as hex strings, enums as integers)
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto

/** An OTLP AnyValue as JSON carries it. */
interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}

/** An OTLP span as the JSON encoding carries it (fields the tests read). */
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes?: Array<{ key: string; value: OtlpValue }>
  status?: { code?: number; message?: string }
}

/** The body of one export request. */
interface ExportTraceServiceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: OtlpValue }> }
    scopeSpans?: Array<{ scope?: { name?: string }; spans?: OtlpSpan[] }>
  }>
}

/** A received span with its attributes as a plain object and its resource's service name. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** '' for a root span. */
  parentSpanId: string
  name: string
  kind: number
  attributes: Record<string, string | number | boolean>
  statusCode: number
  /** The status message ('' when none). */
  statusMessage: string
  serviceName: string
}

/** A running fake collector. */
export interface FakeOtlp {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT, e.g. `http://127.0.0.1:4318`. */
  url: string
  spans: ReceivedSpan[]
  /** Content types of the export requests received. */
  contentTypes: string[]
  stop(): Promise<void>
}

/** The plain value of an OTLP AnyValue (int64 arrives as a string in JSON). */
function plain(value: OtlpValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return value.doubleValue
  return value.boolValue ?? ''
}

/** The attributes of a span or resource as an object. */
function attributesOf(list: Array<{ key: string; value: OtlpValue }> | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((attribute) => [attribute.key, plain(attribute.value)]))
}

/** Starts the fake on a free port. */
export async function startFakeOtlp(): Promise<FakeOtlp> {
  const spans: ReceivedSpan[] = []
  const contentTypes: string[] = []
  const server: Server<unknown> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      if (request.method !== 'POST' || url.pathname !== '/v1/traces') return new Response('not found', { status: 404 })
      const contentType = request.headers.get('content-type') ?? ''
      contentTypes.push(contentType)
      let body: ExportTraceServiceRequest
      try {
        body = decodeOtlpExport(contentType, new Uint8Array(await request.arrayBuffer()))
      } catch (error) {
        return new Response(`unreadable OTLP export: ${error instanceof Error ? error.message : String(error)}`, { status: 400 })
      }
      for (const resourceSpans of body.resourceSpans ?? []) {
        const serviceName = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '')
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
              statusCode: span.status?.code ?? 0,
              statusMessage: span.status?.message ?? '',
              serviceName,
            })
          }
        }
      }
      return Response.json({ partialSuccess: {} })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    contentTypes,
    stop: () => server.stop(true),
  }
}
