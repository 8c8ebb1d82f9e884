import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api'
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { AttemptProbe, RelayObserver, RelayProbe, RelayStart, Settlement } from './relay-observer.ts'

// OpenTelemetry traces of relayed calls, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. One server
// span per request, parented by the client's W3C `traceparent` when it sends one, with child spans for
// auth, admission, each upstream attempt and settlement; each attempt's `traceparent` goes upstream
// (through the channel client) so the provider's spans join the trace. Spans leave in batches over
// OTLP/HTTP JSON to `<endpoint>/v1/traces`.

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

/** Starts the OTLP exporter and a tracer of our own (not registered globally: plugins' libraries are not traced by accident). */
export function createGatewayTracing(options: TracingOptions): GatewayTracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': options.version }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }) })],
  })
  const tracer = provider.getTracer('hanggent-api', options.version)
  return {
    observer: { begin: (start) => tracingProbe(tracer, start) },
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  }
}

/** Ends a span once, marking it an error when `failed`. */
function endSpan(span: Span | undefined, failed?: string): undefined {
  if (!span) return undefined
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: failed })
  span.end()
  return undefined
}

/** The spans of one request: the request's own span and its open children. */
function tracingProbe(tracer: Tracer, start: RelayStart): RelayProbe {
  const parent = parseTraceparent(start.headers.get('traceparent'))
  const parentContext = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT
  const root = tracer.startSpan(
    `relay ${start.route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.route': start.route, 'hanggent.dialect': start.dialect } },
    parentContext,
  )
  const inRequest: Context = trace.setSpan(ROOT_CONTEXT, root)
  let auth: Span | undefined = tracer.startSpan('auth', {}, inRequest)
  let admission: Span | undefined
  let settlement: Span | undefined
  let attemptIndex = 0
  let closed = false
  let answered = false
  // The request's span ends once it is both answered and over: a non-stream call is over (settled) just
  // before the pipeline hands its answer back; a stream is answered first and over when settled.
  const endRoot = () => {
    if (closed && answered) root.end()
  }
  return {
    authenticated() {
      auth = endSpan(auth)
      admission = tracer.startSpan('admission', {}, inRequest)
    },
    admitted(model, stream) {
      root.setAttributes({ 'gen_ai.request.model': model, 'hanggent.stream': stream })
      admission = endSpan(admission)
    },
    attempt(channel): AttemptProbe {
      attemptIndex += 1
      const span = tracer.startSpan(
        'upstream attempt',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'hanggent.channel.id': channel.id,
            'hanggent.channel.type': channel.type,
            'hanggent.upstream_model': channel.upstreamModel,
            'hanggent.attempt': attemptIndex,
          },
        },
        inRequest,
      )
      return {
        headers: { traceparent: formatTraceparent(span.spanContext()) },
        end(result) {
          span.setAttribute('http.response.status_code', result.status)
          endSpan(span, result.ok ? undefined : (result.code ?? `HTTP ${result.status}`))
        },
      }
    },
    firstToken() {
      root.addEvent('first token')
    },
    settling() {
      settlement = tracer.startSpan('settlement', {}, inRequest)
      return (result: Settlement | Error) => {
        if (result instanceof Error) {
          settlement = endSpan(settlement, result.message)
          return
        }
        settlement?.setAttributes({
          'gen_ai.usage.input_tokens': result.usage.inputTokens,
          'gen_ai.usage.output_tokens': result.usage.outputTokens,
          'hanggent.quota': result.quota,
          'hanggent.outcome': result.outcome,
        })
        settlement = endSpan(settlement)
      }
    },
    responded(status, code) {
      root.setAttribute('http.response.status_code', status)
      if (status >= 500) root.setStatus({ code: SpanStatusCode.ERROR, message: code ?? `HTTP ${status}` })
      else if (code) root.setAttribute('hanggent.error_code', code)
      if (answered) return
      answered = true
      endRoot()
    },
    closed() {
      if (closed) return
      closed = true
      auth = endSpan(auth)
      admission = endSpan(admission)
      settlement = endSpan(settlement)
      endRoot()
    },
  }
}
