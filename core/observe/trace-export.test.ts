import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { decodeOtlpExport } from '../../tests/support/otlp-proto-decode.ts'
import { otlpHeadersFrom, otlpProtocolFrom } from './observability.ts'
import { createGatewayTracing, type GatewayTracing } from './tracing.ts'

// How the export worker talks to a collector: the headers operators configure, a retry of what the
// collector asks to be retried, and a refusal reported rather than lost.
// see https://opentelemetry.io/docs/specs/otlp/#failures-1 (429/502/503/504 are retryable; others are not)

describe('OTEL_EXPORTER_OTLP_HEADERS', () => {
  test('pairs are split, trimmed and percent-decoded; the traces variable wins; bad pairs are skipped', () => {
    expect(
      otlpHeadersFrom({
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret%20one, X-Tenant = eu ,broken,=nameless,bad=%E0%A4%A',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=secret-two',
      }),
    ).toEqual({ 'api-key': 'secret-two', 'x-tenant': 'eu' })
    expect(otlpHeadersFrom({})).toBeUndefined()
  })
})

describe('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  test('protobuf unless JSON is asked for; the traces variable wins; gRPC is set aside with a reason', () => {
    expect(otlpProtocolFrom({})).toEqual({ protocol: 'http/protobuf' })
    expect(otlpProtocolFrom({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ protocol: 'http/json' })
    expect(otlpProtocolFrom({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toEqual({
      protocol: 'http/protobuf',
    })
    const grpc = otlpProtocolFrom({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })
    expect(grpc.protocol).toBe('http/protobuf')
    expect(grpc.problem).toContain("'grpc' is not supported")
  })
})

describe('export to a collector', () => {
  /** What the collector answers next (then 200), and what it saw. */
  const answers: number[] = []
  /** Whether a 503 asks for a retry in 30 s. */
  let retryLater = false
  const seen: Array<{ status: number; apiKey: string | null; spans: number }> = []
  let collector: ReturnType<typeof Bun.serve>

  beforeAll(() => {
    collector = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request) {
        const body = decodeOtlpExport(request.headers.get('content-type'), new Uint8Array(await request.arrayBuffer()))
        const status = answers.shift() ?? 200
        seen.push({ status, apiKey: request.headers.get('api-key'), spans: body.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0 })
        return Response.json({}, { status, headers: status === 503 && retryLater ? { 'retry-after': '30' } : {} })
      },
    })
  })
  afterAll(() => collector.stop(true))

  /** Tracing that exports to the collector (with `headers`), the export failures it reports pushed to `errors`. */
  function tracingTo(errors: string[], headers?: Record<string, string>): GatewayTracing {
    return createGatewayTracing({
      endpoint: `http://127.0.0.1:${collector.port}`,
      serviceName: 'test',
      version: '0',
      headers,
      onExportError: (message) => errors.push(message),
    })
  }

  /** One plain call through a probe. */
  function relayOnce(tracing: GatewayTracing): void {
    const probe = tracing.observer.begin({ route: '/v1/chat/completions', dialect: 'openai.chat', headers: new Headers() })
    probe.authenticated()
    probe.responded(401, 'invalid_api_key')
    probe.closed()
  }

  test('a 503 is retried and the spans arrive once, with the configured headers', async () => {
    seen.length = 0
    answers.push(503)
    const errors: string[] = []
    const tracing = tracingTo(errors, { 'api-key': 'secret' })
    relayOnce(tracing)
    await tracing.close()
    expect(seen).toEqual([
      { status: 503, apiKey: 'secret', spans: 3 },
      { status: 200, apiKey: 'secret', spans: 3 },
    ])
    expect(errors).toEqual([])
  })

  test('a 400 is not retried and is reported', async () => {
    seen.length = 0
    answers.push(400)
    const errors: string[] = []
    const tracing = tracingTo(errors)
    relayOnce(tracing)
    await tracing.close()
    await Bun.sleep(20) // the report crosses from the worker after the ack
    expect(seen.map((request) => request.status)).toEqual([400])
    expect(errors).toEqual(['OTLP collector answered 400 Bad Request'])
  })

  test('a retry the collector asks for past the export time limit is not waited for: close returns and the failure is reported', async () => {
    seen.length = 0
    answers.push(503)
    retryLater = true
    const errors: string[] = []
    const tracing = tracingTo(errors)
    relayOnce(tracing)
    const started = performance.now()
    await tracing.close()
    retryLater = false
    expect(performance.now() - started).toBeLessThan(5_000)
    await Bun.sleep(20)
    expect(seen.map((request) => request.status)).toEqual([503])
    expect(errors).toEqual(['OTLP collector answered 503 Service Unavailable'])
  })
})
