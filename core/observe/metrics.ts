import { timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { AppContext } from '../app-context.ts'
import type { ChannelHealthChange } from '../routing/channel-health.ts'
import { startEventLoopMonitor } from '../runtime/event-loop-monitor.ts'
import { compileIpAllowlist } from '../security/ip-allowlist.ts'
import type { AttemptProbe, RelayObserver, RelayProbe, RelayStart, Settlement } from './relay-observer.ts'

// Prometheus metrics of one gateway process (`GET /metrics`). Each replica serves its own; Prometheus
// scrapes every replica (Kubernetes pod discovery, or one static target per replica) and sums across
// them. Counters move on the relay path through the metrics probe; queue depths, event-loop lag and
// memory are read only when scraped. Labels carry ids and names we chose (route pattern, dialect,
// channel id, admitted model), never raw client input, so series stay bounded.

/** Latency buckets in seconds, from a cache hit to a long reasoning answer. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
/** Flush buckets in seconds: a group commit takes milliseconds unless the database struggles. */
const FLUSH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

/** The gateway's metrics: the registry `/metrics` renders, the relay observer, and the health-change hook. */
export interface GatewayMetrics {
  registry: Registry
  /** Feeds the relay counters and histograms. */
  observer: RelayObserver
  /** Counts a channel health change (given to createChannelHealth). */
  healthChanged(change: ChannelHealthChange): void
}

/** True when `/metrics` is enabled: a token or an IP allowlist is configured. */
export function metricsEnabled(config: AppContext['config']): boolean {
  return config.metricsToken !== undefined || config.metricsAllowIps.length > 0
}

/** Registers every series on a registry of its own (one per gateway, so tests can run several in a process). */
export function createGatewayMetrics(context: AppContext): GatewayMetrics {
  const registry = new Registry()
  const registers = [registry]
  const requests = new Counter({
    name: 'hanggent_relay_requests_total',
    help: 'Relayed requests by route, dialect, model, answering channel and status',
    labelNames: ['route', 'dialect', 'model', 'channel', 'status'] as const,
    registers,
  })
  const upstreamLatency = new Histogram({
    name: 'hanggent_relay_upstream_latency_seconds',
    help: 'Upstream attempt time until it answered (headers for streams, the whole body otherwise)',
    labelNames: ['channel', 'model', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const firstToken = new Histogram({
    name: 'hanggent_relay_time_to_first_token_seconds',
    help: 'Streamed calls: time from the request to its first event',
    labelNames: ['channel', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const tokens = new Counter({
    name: 'hanggent_relay_tokens_total',
    help: 'Tokens billed, by direction (input includes cache reads and writes)',
    labelNames: ['direction', 'model', 'channel'] as const,
    registers,
  })
  const quota = new Counter({ name: 'hanggent_relay_quota_spent_total', help: 'Quota units charged', labelNames: ['model', 'channel'] as const, registers })
  const retries = new Counter({
    name: 'hanggent_relay_retries_total',
    help: 'Upstream attempts after the first of a call',
    labelNames: ['channel'] as const,
    registers,
  })
  const failovers = new Counter({
    name: 'hanggent_relay_failovers_total',
    help: 'Attempts that moved to another channel than the previous attempt',
    labelNames: ['from_channel', 'to_channel'] as const,
    registers,
  })
  const rateLimited = new Counter({
    name: 'hanggent_rate_limit_rejections_total',
    help: "Requests refused by the gateway's own rate limits",
    labelNames: ['route'] as const,
    registers,
  })
  const healthChanges = new Counter({
    name: 'hanggent_channel_health_changes_total',
    help: 'Automatic channel health changes',
    labelNames: ['channel', 'change'] as const,
    registers,
  })
  const flushSeconds = new Histogram({
    name: 'hanggent_log_writer_flush_seconds',
    help: 'Duration of each log-writer group commit (usage rows and ledger charges)',
    labelNames: ['result'] as const,
    buckets: FLUSH_BUCKETS,
    registers,
  })
  context.logWriter.onBatch((durationMs, committed) => flushSeconds.observe({ result: committed ? 'committed' : 'failed' }, durationMs / 1000))
  new Gauge({
    name: 'hanggent_log_writer_queue_rows',
    help: 'Log rows waiting for the next group commit',
    registers,
    collect() {
      this.set(context.logWriter.queuedRows())
    },
  })
  new Gauge({
    name: 'hanggent_ledger_queue_charges',
    help: 'Ledger charges journaled but not yet committed to the database',
    registers,
    collect() {
      this.set(context.logWriter.backlog())
    },
  })
  const monitor = startEventLoopMonitor()
  new Gauge({
    name: 'hanggent_event_loop_lag_seconds',
    help: 'Event-loop lag over the last 10 s',
    labelNames: ['quantile'] as const,
    registers,
    collect() {
      const lag = monitor.lag(10)
      this.set({ quantile: '0.5' }, lag.p50 / 1000)
      this.set({ quantile: '0.99' }, lag.p99 / 1000)
      this.set({ quantile: '1' }, lag.max / 1000)
    },
  })
  new Gauge({
    name: 'hanggent_process_memory_bytes',
    help: 'Process memory (process.memoryUsage)',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      const memory = process.memoryUsage()
      this.set({ kind: 'rss' }, memory.rss)
      this.set({ kind: 'heap_used' }, memory.heapUsed)
      this.set({ kind: 'heap_total' }, memory.heapTotal)
      this.set({ kind: 'external' }, memory.external)
    },
  })
  const series = { requests, upstreamLatency, firstToken, tokens, quota, retries, failovers, rateLimited }
  return {
    registry,
    observer: { begin: (start) => metricsProbe(series, start) },
    healthChanged: (change) => healthChanges.inc({ channel: String(change.channelId), change: change.change }),
  }
}

type Series = {
  requests: Counter<'route' | 'dialect' | 'model' | 'channel' | 'status'>
  upstreamLatency: Histogram<'channel' | 'model' | 'status'>
  firstToken: Histogram<'channel' | 'model'>
  tokens: Counter<'direction' | 'model' | 'channel'>
  quota: Counter<'model' | 'channel'>
  retries: Counter<'channel'>
  failovers: Counter<'from_channel' | 'to_channel'>
  rateLimited: Counter<'route'>
}

/** The metrics side of one request: remembers the model and the channel tried last, counts at each step. */
function metricsProbe(series: Series, start: RelayStart): RelayProbe {
  const startedAt = performance.now()
  let model = ''
  let channel = ''
  let attempts = 0
  const noHeaders = undefined
  return {
    authenticated() {},
    admitted(admittedModel) {
      model = admittedModel
    },
    attempt(target): AttemptProbe {
      const previous = channel
      channel = String(target.id)
      attempts += 1
      if (attempts > 1) {
        series.retries.inc({ channel })
        if (previous !== channel) series.failovers.inc({ from_channel: previous, to_channel: channel })
      }
      const attemptStartedAt = performance.now()
      const attemptChannel = channel
      return {
        headers: noHeaders,
        end: (result) =>
          series.upstreamLatency.observe({ channel: attemptChannel, model, status: String(result.status) }, (performance.now() - attemptStartedAt) / 1000),
      }
    },
    firstToken() {
      series.firstToken.observe({ channel, model }, (performance.now() - startedAt) / 1000)
    },
    settling() {
      return (result: Settlement | Error) => {
        if (result instanceof Error) return
        const { usage } = result
        series.tokens.inc({ direction: 'input', model, channel }, usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens)
        series.tokens.inc({ direction: 'output', model, channel }, usage.outputTokens)
        series.quota.inc({ model, channel }, result.quota)
      }
    },
    responded(status, code) {
      series.requests.inc({ route: start.route, dialect: start.dialect, model, channel, status: String(status) })
      if (status === 429 && code === 'rate_limited' && attempts === 0) series.rateLimited.inc({ route: start.route })
    },
    closed() {},
  }
}

/**
 * `GET /metrics`: 404 when metrics are off; 403 from an address outside METRICS_ALLOW_IPS (when set);
 * 401 without the METRICS_TOKEN bearer (when set); else the registry in Prometheus text format.
 */
export function metricsHandler(
  config: AppContext['config'],
  metrics: GatewayMetrics | undefined,
): (request: Request, clientIp: string | undefined) => Promise<Response> {
  const allowlist = config.metricsAllowIps.length > 0 ? compileIpAllowlist(config.metricsAllowIps) : undefined
  const expected = config.metricsToken === undefined ? undefined : `Bearer ${config.metricsToken}`
  const refuse = (status: number, message: string) => Response.json({ error: { message, type: status === 404 ? 'not_found' : 'forbidden' } }, { status })
  return async (request, clientIp) => {
    if (!metrics) return refuse(404, 'Metrics are off: set METRICS_TOKEN or METRICS_ALLOW_IPS to serve them')
    if (allowlist && (!clientIp || !allowlist.allows(clientIp))) return refuse(403, 'This address may not read metrics (METRICS_ALLOW_IPS)')
    if (expected !== undefined && !sameSecret(request.headers.get('authorization') ?? '', expected)) {
      return Response.json(
        { error: { message: 'Metrics need "Authorization: Bearer <METRICS_TOKEN>"', type: 'unauthorized' } },
        { status: 401, headers: { 'www-authenticate': 'Bearer' } },
      )
    }
    return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } })
  }
}

/** Compares secrets in time independent of where they first differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
