import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startFakeOtlp, type FakeOtlp, type ReceivedSpan } from '../support/fake-otlp.ts'
import { metricsHandler } from '../../core/observe/metrics.ts'
import { testConfig } from '../support/context.ts'
import { readFileSync } from 'node:fs'

// Issue 16 items 2–3: `GET /metrics` (Prometheus text) scraped after real relayed calls, and the OTLP
// traces of a relayed call received by a fake collector on 127.0.0.1, with W3C traceparent in and out.

const METRICS_TOKEN = 'metrics-token-0123456789'
const USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 }

/** One sample of the exposition: name, labels, value. */
interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses Prometheus text format samples (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return samples
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0)
}

describe('metrics and traces', () => {
  let gateway: TestGateway
  let off: TestGateway
  let primary: FakeOpenAI
  let backup: FakeOpenAI
  let collector: FakeOtlp
  let key: string
  let tokenId: number
  let primaryId: number
  let backupId: number

  beforeAll(async () => {
    primary = await startFakeOpenAI()
    backup = await startFakeOpenAI()
    collector = await startFakeOtlp()
    gateway = await startGateway({}, { metricsToken: METRICS_TOKEN, otlpEndpoint: collector.url })
    off = await startGateway()
    primaryId = await gateway.createChannel({ name: 'primary', type: 'openai', key: 'sk-a', baseUrl: primary.url, models: ['gpt-4o-mini'], priority: 10 })
    backupId = await gateway.createChannel({ name: 'backup', type: 'openai', key: 'sk-b', baseUrl: backup.url, models: ['gpt-4o-mini'], priority: 0 })
    const token = await gateway.createToken({ name: 'observed', quota: 100_000_000 })
    key = token.key
    tokenId = token.id
    primary.setDefault({ kind: 'usage', usage: USAGE })
    backup.setDefault({ kind: 'usage', usage: USAGE })
  })
  afterAll(async () => {
    await gateway.stop()
    await off.stop()
    await primary.stop()
    await backup.stop()
    await collector.stop()
  })

  const call = (options: { stream?: boolean; headers?: Record<string, string> } = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, ...options.headers },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    })
  const scrape = async () => {
    const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toStartWith('text/plain')
    return parseMetrics(await response.text())
  }

  test('/metrics refuses without the token, with a wrong one, from outside the allowlist, and is 404 when off', async () => {
    const bare = await fetch(`${gateway.url}/metrics`)
    expect(bare.status).toBe(401)
    expect(await bare.text()).not.toContain('hanggent_')
    expect((await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-wrong-0000' } })).status).toBe(401)
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404)
    // The allowlist: the handler /metrics runs, given the client address the route resolved.
    const handler = metricsHandler(testConfig({ metricsAllowIps: ['10.0.0.0/8'] }), {
      registry: { metrics: async () => 'x 1\n', contentType: 'text/plain' },
    } as never)
    expect((await handler(new Request('http://gateway/metrics'), '192.168.1.5')).status).toBe(403)
    expect((await handler(new Request('http://gateway/metrics'), '10.1.2.3')).status).toBe(200)
  })

  test('requests, tokens, quota, time to first token, a failover, a health change and a rate-limit rejection are counted', async () => {
    const before = await scrape()
    const usedBefore = (await gateway.tokenBalance(tokenId)).usedQuota
    const labels = { route: '/v1/chat/completions', dialect: 'openai.chat', model: 'gpt-4o-mini' }
    for (let index = 0; index < 3; index++) expect((await call()).status).toBe(200)
    for (let index = 0; index < 2; index++) {
      const response = await call({ stream: true })
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('[DONE]')
    }
    // One failover: the primary answers 500, the backup serves the call.
    primary.queue({ kind: 'status', status: 500 })
    expect((await call()).status).toBe(200)
    // A revoked key: the primary's only key is disabled, so the channel leaves rotation (health change); the backup serves.
    primary.queue({ kind: 'status', status: 401 })
    expect((await call()).status).toBe(200)
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { status: 'enabled' })
    await gateway.logs()
    const after = await scrape()
    const delta = (name: string, match: Record<string, string> = {}) => total(after, name, match) - total(before, name, match)

    // 7 calls sent, all answered 200: 5 by the primary, 2 by the backup after a failed attempt on the primary.
    expect(delta('hanggent_relay_requests_total')).toBe(7)
    expect(delta('hanggent_relay_requests_total', { ...labels, channel: String(primaryId), status: '200' })).toBe(5)
    expect(delta('hanggent_relay_requests_total', { ...labels, channel: String(backupId), status: '200' })).toBe(2)
    expect(delta('hanggent_relay_tokens_total', { direction: 'input', model: 'gpt-4o-mini' })).toBe(7 * USAGE.prompt_tokens)
    expect(delta('hanggent_relay_tokens_total', { direction: 'output', model: 'gpt-4o-mini' })).toBe(7 * USAGE.completion_tokens)
    expect(delta('hanggent_relay_quota_spent_total')).toBe((await gateway.tokenBalance(tokenId)).usedQuota - usedBefore)
    expect(delta('hanggent_relay_quota_spent_total')).toBeGreaterThan(0)
    expect(delta('hanggent_relay_failovers_total', { from_channel: String(primaryId), to_channel: String(backupId) })).toBe(2)
    expect(delta('hanggent_relay_retries_total', { channel: String(backupId) })).toBe(2)
    expect(delta('hanggent_channel_health_changes_total', { channel: String(primaryId), change: 'channel-disabled' })).toBe(1)
    expect(delta('hanggent_relay_time_to_first_token_seconds_count', { channel: String(primaryId), model: 'gpt-4o-mini' })).toBe(2)
    expect(delta('hanggent_relay_upstream_latency_seconds_count', { channel: String(primaryId) })).toBe(7)
    expect(delta('hanggent_relay_upstream_latency_seconds_count', { channel: String(backupId), status: '200' })).toBe(2)
    expect(delta('hanggent_log_writer_flush_seconds_count', { result: 'committed' })).toBeGreaterThan(0)
    expect(after.some((sample) => sample.name === 'hanggent_log_writer_queue_rows')).toBe(true)
    expect(after.some((sample) => sample.name === 'hanggent_ledger_queue_charges')).toBe(true)
    expect(total(after, 'hanggent_process_memory_bytes', { kind: 'rss' })).toBeGreaterThan(10_000_000)
    expect(after.filter((sample) => sample.name === 'hanggent_event_loop_lag_seconds').map((sample) => sample.labels.quantile)).toEqual(['0.5', '0.99', '1'])

    // The gateway's own rate limit refuses the second call in the window.
    await gateway.admin('PATCH', '/api/options', { rateLimits: { userModelTotal: 1, userModelSuccess: 0, windowSeconds: 60 } })
    try {
      expect((await call()).status).toBe(200)
      expect((await call()).status).toBe(429)
    } finally {
      await gateway.admin('PATCH', '/api/options', { rateLimits: { userModelTotal: 0, userModelSuccess: 0 } })
    }
    const limited = await scrape()
    expect(total(limited, 'hanggent_rate_limit_rejections_total', { route: '/v1/chat/completions' })).toBe(1)
    // Refused before admission: the model label stays empty, so client-chosen names never make series.
    expect(total(limited, 'hanggent_relay_requests_total', { route: labels.route, dialect: labels.dialect, model: '', channel: '', status: '429' })).toBe(1)

    // Every series the sample Grafana dashboard queries is one the gateway serves.
    const dashboard = readFileSync(new URL('../../deploy/grafana/hanggent-api.json', import.meta.url), 'utf8')
    const queried = new Set(dashboard.match(/hanggent_[a-z_]+/g) ?? [])
    const served = new Set(limited.map((sample) => sample.name))
    expect(queried.size).toBeGreaterThan(10)
    expect([...queried].filter((name) => !served.has(name))).toEqual([])
  })

  test('one relay call exports its span with auth, admission, attempt and settlement children; traceparent in and out', async () => {
    const clientTraceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const clientSpanId = '00f067aa0ba902b7'
    primary.reset()
    primary.setDefault({ kind: 'usage', usage: USAGE })
    collector.spans.length = 0
    const response = await call({ headers: { traceparent: `00-${clientTraceId}-${clientSpanId}-01` } })
    expect(response.status).toBe(200)
    await gateway.services.observability.tracing?.flush()
    // OTLP/HTTP protobuf, the exporters' default (OTEL_EXPORTER_OTLP_PROTOCOL unset); the fake decodes it.
    expect(
      collector.contentTypes.every(
        (type) => type === (process.env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json' ? 'application/json' : 'application/x-protobuf'),
      ),
    ).toBe(true)

    const inTrace = collector.spans.filter((span) => span.traceId === clientTraceId)
    const root = inTrace.find((span) => span.parentSpanId === clientSpanId) as ReceivedSpan
    expect(root).toBeDefined()
    expect(root.name).toBe('relay /v1/chat/completions')
    expect(root.serviceName).toBe('hanggent-api')
    expect(root.attributes['gen_ai.request.model']).toBe('gpt-4o-mini')
    expect(root.attributes['http.response.status_code']).toBe(200)
    const children = inTrace.filter((span) => span.parentSpanId === root.spanId)
    expect(children.map((span) => span.name).sort()).toEqual(['admission', 'auth', 'settlement', 'upstream attempt'])
    const attempt = children.find((span) => span.name === 'upstream attempt') as ReceivedSpan
    expect(attempt.attributes['hanggent.channel.id']).toBe(primaryId)
    const settlement = children.find((span) => span.name === 'settlement') as ReceivedSpan
    expect(settlement.attributes['gen_ai.usage.output_tokens']).toBe(USAGE.completion_tokens)

    // The upstream saw the attempt's span as its parent.
    expect(primary.requests).toHaveLength(1)
    expect(primary.requests[0]!.headers.traceparent).toBe(`00-${clientTraceId}-${attempt.spanId}-01`)
  })

  test('without a client traceparent a new trace starts, and a failover exports one attempt span per channel tried', async () => {
    collector.spans.length = 0
    primary.queue({ kind: 'status', status: 500 })
    expect((await call()).status).toBe(200)
    await gateway.services.observability.tracing?.flush()
    const root = collector.spans.find((span) => span.name === 'relay /v1/chat/completions') as ReceivedSpan
    expect(root.parentSpanId).toBe('')
    const attempts = collector.spans.filter((span) => span.parentSpanId === root.spanId && span.name === 'upstream attempt')
    expect(attempts.map((span) => span.attributes['hanggent.channel.id'])).toEqual([primaryId, backupId])
    expect(attempts[0]!.statusCode).toBe(2)
  })
})
