import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type FakeOtlp, startFakeOtlp } from '../../tests/support/fake-otlp.ts'
import type { OtlpProtocol } from './trace-export-worker.ts'
import { createGatewayTracing, formatTraceparent, parseTraceparent, type GatewayTracing } from './tracing.ts'

// W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex.
// see https://www.w3.org/TR/trace-context/#traceparent-header

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('traceparent', () => {
  test('a valid header names the remote parent and its sampled flag', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true })
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(0)
  })

  test('a later version may carry more fields; version 00 may not', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId).toBe(TRACE)
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01-extra`)).toBeUndefined()
  })

  test.each([
    ['absent', null],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(2)}-${SPAN}-01`],
    ['not hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
  ])('%s starts a new trace (undefined)', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined()
  })

  test('format writes what parse reads', () => {
    const context = { traceId: TRACE, spanId: SPAN, traceFlags: 1 }
    expect(formatTraceparent(context)).toBe(`00-${TRACE}-${SPAN}-01`)
    expect(parseTraceparent(formatTraceparent(context))).toEqual({ ...context, isRemote: true })
  })
})

describe.each(['http/protobuf', 'http/json'] as OtlpProtocol[])('trace export over %s', (protocol) => {
  let collector: FakeOtlp
  beforeAll(async () => {
    collector = await startFakeOtlp()
  })
  afterAll(() => collector.stop())

  /** One request through a probe: auth, admission, a failed attempt, a good one, settlement. */
  function relayOnce(tracing: GatewayTracing, headers: Headers): string[] {
    const probe = tracing.observer.begin({ route: '/v1/chat/completions', dialect: 'openai.chat', headers })
    probe.authenticated()
    probe.admitted('gpt-4o-mini', true)
    const first = probe.attempt({ id: 7, type: 'openai', upstreamModel: 'gpt-4o-mini' })
    first.end({ status: 502, ok: false, code: 'upstream_error' })
    const second = probe.attempt({ id: 8, type: 'openai', upstreamModel: 'gpt-4o-mini' })
    second.end({ status: 200, ok: true })
    probe.responded(200)
    probe.firstToken()
    probe.settling()({
      usage: { inputTokens: 12, outputTokens: 34, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      quota: 56,
      outcome: 'completed',
    })
    probe.closed()
    return [first.headers?.traceparent ?? '', second.headers?.traceparent ?? '']
  }

  test('a sampled request arrives as its span and children, attempts named in the traceparent sent upstream', async () => {
    collector.spans.length = 0
    const tracing = createGatewayTracing({ endpoint: collector.url, serviceName: 'test', version: '0', protocol })
    const sent = relayOnce(tracing, new Headers({ traceparent: `00-${TRACE}-${SPAN}-01` }))
    await tracing.close()
    const root = collector.spans.find((span) => span.name === 'relay /v1/chat/completions')
    expect(root?.parentSpanId).toBe(SPAN)
    expect(root?.attributes['gen_ai.request.model']).toBe('gpt-4o-mini')
    const children = collector.spans.filter((span) => span.parentSpanId === root?.spanId)
    expect(children.map((span) => span.name).sort()).toEqual(['admission', 'auth', 'settlement', 'upstream attempt', 'upstream attempt'])
    const attempts = children.filter((span) => span.name === 'upstream attempt')
    expect(sent).toEqual(attempts.map((span) => `00-${TRACE}-${span.spanId}-01`))
    expect([attempts[0]?.statusCode, attempts[0]?.statusMessage]).toEqual([2, 'upstream_error'])
    expect(children.find((span) => span.name === 'settlement')?.attributes['hanggent.quota']).toBe(56)
    expect(new Set(collector.spans.map((span) => span.spanId)).size).toBe(collector.spans.length)
    expect(collector.contentTypes.at(-1)).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf')
  })

  test('ratio 0 records no new trace, and a client that did not sample is followed, but upstreams still get the trace id', async () => {
    collector.spans.length = 0
    const tracing = createGatewayTracing({ endpoint: collector.url, serviceName: 'test', version: '0', sampleRatio: 0, protocol })
    const [fresh] = relayOnce(tracing, new Headers())
    const [followed] = relayOnce(tracing, new Headers({ traceparent: `00-${TRACE}-${SPAN}-00` }))
    const [sampledByClient] = relayOnce(tracing, new Headers({ traceparent: `00-${TRACE}-${SPAN}-01` }))
    await tracing.close()
    expect(fresh).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)
    expect(followed).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`))
    expect(sampledByClient).toMatch(/-01$/)
    expect(collector.spans.filter((span) => span.name.startsWith('relay')).length).toBe(1)
  })
})
