import { describe, expect, test } from 'bun:test'
import { OtlpJsonBatch, type OtlpOrigin } from './otlp-json.ts'
import { ATTEMPT_SPAN_ID, CLIENT_SPAN_ID, failedOverRecord, settledRecord, TRACE_ID } from './trace-test-records.ts'

// The OTLP/HTTP JSON body written byte by byte must be what the protocol's JSON encoding says: valid
// JSON, ids as hex, kinds and status codes as OTLP's integers, times as decimal nanosecond strings.
// see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding

/** 2026-12-06T12:00:00.123456 UTC in epoch microseconds. */
const ORIGIN_MICROS = 1_796_563_200_123_456

interface Value {
  stringValue?: string
  intValue?: number
  boolValue?: boolean
}
interface Span {
  traceId: string
  spanId: string
  parentSpanId?: string
  flags: number
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: Array<{ key: string; value: Value }>
  events?: Array<{ name: string; timeUnixNano: string }>
  status?: { code: number; message: string }
}
interface Body {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: Value }> }
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: Span[] }>
  }>
}

const origin: OtlpOrigin = {
  serviceName: 'gateway "eu"',
  version: '1.2.3',
  timeOriginMicros: ORIGIN_MICROS,
  fillRandom: (bytes) => crypto.getRandomValues(bytes),
}

/** The body of a batch, parsed. */
function parse(batch: OtlpJsonBatch): Body {
  return JSON.parse(new TextDecoder().decode(batch.body())) as Body
}

const attributesOf = (span: Span) => Object.fromEntries(span.attributes.map((item) => [item.key, Object.values(item.value)[0]]))

describe('OTLP JSON batch', () => {
  test('one record: resource, scope, and the request span with its five children, as OTLP JSON spells them', () => {
    const batch = new OtlpJsonBatch(origin)
    batch.add(failedOverRecord())
    expect(batch.spans).toBe(6)
    const body = parse(batch)
    const [resourceSpans] = body.resourceSpans
    expect(Object.fromEntries(resourceSpans!.resource.attributes.map((item) => [item.key, item.value.stringValue]))).toEqual({
      'service.name': 'gateway "eu"',
      'service.version': '1.2.3',
    })
    const [scopeSpans] = resourceSpans!.scopeSpans
    expect(scopeSpans!.scope).toEqual({ name: 'hanggent-api', version: '1.2.3' })
    const spans = scopeSpans!.spans
    const root = spans[0]!
    expect(root).toMatchObject({ traceId: TRACE_ID, parentSpanId: CLIENT_SPAN_ID, flags: 0x301, name: 'relay /v1/chat/completions', kind: 2 })
    // Exact nanoseconds: (origin + 10 µs) × 1000, as a decimal string.
    expect(root.startTimeUnixNano).toBe('1796563200123466000')
    expect(root.endTimeUnixNano).toBe('1796563200125656000')
    expect(root.events).toEqual([{ name: 'first token', timeUnixNano: '1796563200124456000' }])
    expect(root.status).toEqual({ code: 2, message: 'billing_unavailable' })
    expect(attributesOf(root)).toEqual({
      'http.route': '/v1/chat/completions',
      'hanggent.dialect': 'openai.chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'hanggent.stream': true,
      'http.response.status_code': 503,
    })
    expect(root.spanId).toMatch(/^[0-9a-f]{16}$/)
    const children = spans.slice(1)
    expect(children.every((span) => span.parentSpanId === root.spanId && span.traceId === TRACE_ID && span.flags === 0x101)).toBe(true)
    expect(children.map((span) => [span.name, span.kind])).toEqual([
      ['auth', 1],
      ['admission', 1],
      ['upstream attempt', 3],
      ['upstream attempt', 3],
      ['settlement', 1],
    ])
    const [, , first, second, settlement] = children
    expect(first!.spanId).toBe(ATTEMPT_SPAN_ID)
    expect(first!.status).toEqual({ code: 2, message: 'upstream said "no" – ünïcode' })
    expect(attributesOf(first!)).toEqual({
      'hanggent.channel.id': 7,
      'hanggent.channel.type': 'openai',
      'hanggent.upstream_model': 'gpt-4o-mini',
      'hanggent.attempt': 1,
      'http.response.status_code': 502,
    })
    // An attempt that never reported ends with the request, and has neither status nor error.
    expect(second!.endTimeUnixNano).toBe(root.endTimeUnixNano)
    expect(second!.status).toBeUndefined()
    expect(settlement!.status).toEqual({ code: 2, message: 'ledger down' })
    expect(settlement!.attributes).toEqual([])
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(spans.length)
  })

  test('many records in one body: every span present, settled usage as integers, a new trace without a parent', () => {
    const batch = new OtlpJsonBatch(origin, new Uint8Array(64)) // a small start, so the buffer grows many times
    for (let index = 0; index < 300; index++) batch.add(settledRecord(index))
    const spans = parse(batch).resourceSpans[0]!.scopeSpans[0]!.spans
    expect(spans).toHaveLength(300 * 3)
    expect(batch.spans).toBe(900)
    const root = spans[897]!
    expect(root.parentSpanId).toBeUndefined()
    expect(root.flags).toBe(0x101)
    expect(root.status).toBeUndefined()
    expect(attributesOf(spans[899]!)).toEqual({
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 34,
      'hanggent.quota': 56,
      'hanggent.outcome': 'completed',
    })
    // The next batch writes into the same (now large) buffer: only its own spans are in its body.
    const next = new OtlpJsonBatch(origin, batch.buffer)
    next.add(failedOverRecord())
    expect(parse(next).resourceSpans[0]!.scopeSpans[0]!.spans.map((span) => span.name)).toHaveLength(6)
  })
})
