import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { freshPostgresDatabase, gatewayEnv, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts'
import { loggedCharges } from '../support/logged-charges.ts'
import { LONG_CAMPAIGN, reportCampaign } from './campaign-report.ts'

// Issue 14 item 6: a steady rate of mixed calls (plain answers, whole streams, and streams the client
// abandons after a few chunks) against the gateway process; measured from outside as an operator would:
// its RSS and open sockets (/proc/<pid>), its event-loop lag (/metrics), and the fake upstream's count of
// streams still being sent and streams whose reader went away. CI runs 8 s of load; `npm run chaos -- --campaign
// soak --minutes N` runs N minutes and prints the figures.

const ADMIN = 'soak-admin-token-0123456789'
const METRICS = 'soak-metrics-token-0123456789'
const LOAD_MS = LONG_CAMPAIGN ? Number(process.env.CHAOS_MINUTES ?? '10') * 60_000 : 8_000
/** Calls started per second; one in three is abandoned after ABANDON_AFTER data events. */
const RATE = 40
const ABANDON_AFTER = 4
/** The fakes' pause between stream chunks: a whole stream of the text fixture (19 events) takes about 1 s… */
const GAP_MS = 60
/** …and 3.8 s on the upstream that serves the abandoned streams, so one the gateway did not abort would run on for ~3 s. */
const LONG_GAP_MS = 200
/** The model abandoned streams ask for; a second channel (its own fake) serves it, so its open streams are theirs alone. */
const ABANDON_MODEL = 'gpt-4o'
const SAMPLE_MS = 1000
/** The gateway's PostgreSQL connections: its pool's max (20, core/db/client.ts) and the migration-lock client. */
const DATABASE_SOCKETS = 21

type Kind = 'plain' | 'stream' | 'abandoned'

/** MEMORY_PROBE_FILE=<path>: the gateway records where its memory is (scripts/memory-probe.ts) into that file. */
function probeEnv(): Record<string, string> {
  const file = process.env.MEMORY_PROBE_FILE
  if (!file) return {}
  return { MEMORY_PROBE_FILE: file, BUN_OPTIONS: `--preload ${join(import.meta.dir, '../../scripts/memory-probe.ts')}` }
}

/** SOAK_GATEWAY_ENV="NAME=value,NAME=value": settings for the gateway, to measure one suspect at a time. */
function extraGatewayEnv(): Record<string, string> {
  const pairs = (process.env.SOAK_GATEWAY_ENV ?? '').split(',').filter(Boolean)
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length
  if (n < 2) return 0
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY)
    den += (x - meanX) ** 2
  }
  return den === 0 ? 0 : num / den
}

interface Outcome {
  kind: Kind
  requestId: string | null
  ok: boolean
  /** The HTTP status, or what the client's fetch threw, for a call that failed. */
  failure?: string
}

/** The process's resident set in bytes, from /proc. */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'))
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024
}

/** TCP connections visible in the network namespace, by socket inode: local and remote port. */
function tcpByInode(pid: number | 'self'): Map<string, { local: number; remote: number }> {
  const found = new Map<string, { local: number; remote: number }>()
  for (const file of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields.length < 10) continue
      const port = (address: string) => parseInt(address.split(':').at(-1) ?? '0', 16)
      found.set(fields[9]!, { local: port(fields[1]!), remote: port(fields[2]!) })
    }
  }
  return found
}

/** Socket inodes a process holds open. */
function socketInodes(pid: number | 'self'): string[] {
  const inodes: string[] = []
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]
      if (inode) inodes.push(inode)
    } catch {
      // closed while we looked
    }
  }
  return inodes
}

/**
 * The gateway's sockets in four heaps: inbound connections whose client end this test process still holds
 * open (its fetch pool's idle keep-alive, which the gateway is right to keep), connections to the fake
 * upstreams (at rest: the gateway's idle keep-alive pool), connections to PostgreSQL (its pool, at most
 * DATABASE_SOCKETS, idle ones closing after 30 s), and the rest (listener, pipes, and any client connection
 * the gateway failed to close).
 */
function gatewaySockets(
  pid: number,
  port: number,
  upstreamPorts: number[],
  databasePort: number | undefined,
): { other: number; clientKeepAlive: number; upstream: number; database: number } {
  const tcp = tcpByInode(pid)
  const ours = new Set(
    socketInodes('self')
      .map((inode) => tcp.get(inode))
      .filter((entry) => entry?.remote === port)
      .map((entry) => entry!.local),
  )
  const heaps = { other: 0, clientKeepAlive: 0, upstream: 0, database: 0 }
  for (const inode of socketInodes(pid)) {
    const entry = tcp.get(inode)
    if (entry && entry.local === port && ours.has(entry.remote)) heaps.clientKeepAlive++
    else if (entry && upstreamPorts.includes(entry.remote)) heaps.upstream++
    else if (entry && entry.remote === databasePort) heaps.database++
    else heaps.other++
  }
  return heaps
}

/** The p99 event-loop lag over the last 10 s (ms) and the JavaScript heap in use (bytes), from the gateway's /metrics. */
async function metricsOf(gateway: GatewayProcess): Promise<{ lagMs: number; heapUsed: number }> {
  const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).text()
  const value = /hanggent_event_loop_lag_seconds\{quantile="0\.99"\} ([0-9.e+-]+)/.exec(text)?.[1]
  const heap = /hanggent_process_memory_bytes\{kind="heap_used"\} ([0-9.e+-]+)/.exec(text)?.[1]
  if (value === undefined || heap === undefined) throw new Error(`no event-loop lag or heap in /metrics:\n${text.slice(0, 500)}`)
  return { lagMs: Number(value) * 1000, heapUsed: Number(heap) }
}

/**
 * One call of the given kind; an abandoned stream reads ABANDON_AFTER data events, then aborts the fetch
 * (`leaving` counts abandoned calls not yet aborted, `left` gets the time each one aborted).
 */
async function call(gateway: GatewayProcess, key: string, kind: Kind, leaving?: { now: number; left: number[] }, whole = false): Promise<Outcome> {
  const controller = new AbortController()
  let requestId: string | null = null
  try {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: kind === 'abandoned' ? ABANDON_MODEL : 'gpt-4o-mini',
        stream: kind !== 'plain',
        messages: [{ role: 'user', content: 'Say something short.' }],
      }),
    })
    requestId = response.headers.get('x-request-id')
    if (response.status !== 200) return { kind, requestId, ok: false, failure: `${response.status} ${(await response.text()).slice(0, 200)}` }
    if (kind !== 'abandoned') {
      const text = await response.text()
      return { kind, requestId, ok: kind === 'plain' ? text.includes('"choices"') : text.includes('data: [DONE]') }
    }
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let seen = ''
    while (whole || (seen.match(/data: /g) ?? []).length < ABANDON_AFTER) {
      const { value, done } = await reader.read()
      if (done) return { kind, requestId, ok: whole && seen.includes('data: [DONE]') }
      seen += decoder.decode(value, { stream: true })
    }
    controller.abort()
    if (leaving) leaving.left.push(Date.now())
    await reader.cancel().catch(() => undefined)
    return { kind, requestId, ok: !seen.includes('[DONE]') }
  } catch (error) {
    return { kind, requestId, ok: false, failure: String(error) }
  }
}

describe('soak: steady mixed load with abandoned streams', () => {
  let fake: FakeOpenAI | undefined
  let slowFake: FakeOpenAI | undefined
  let database: { url: string; drop(): Promise<void> } | undefined
  let gateway: GatewayProcess | undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-soak-'))
  afterAll(async () => {
    gateway?.process.kill('SIGKILL')
    await gateway?.process.exited
    await fake?.stop()
    await slowFake?.stop()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test(
    'no upstream left running after its client left, abandoned streams bill what was delivered, sockets and memory flat',
    async () => {
      fake = await startFakeOpenAI({ scenario: { kind: 'stream-gap', gapMs: GAP_MS } })
      slowFake = await startFakeOpenAI({ scenario: { kind: 'stream-gap', gapMs: LONG_GAP_MS } })
      // PostgreSQL when the test services run (it starts faster than PGlite on a busy machine); PGlite otherwise,
      // or when SOAK_DATABASE=embedded asks for the embedded default.
      const embedded = process.env.SOAK_DATABASE === 'embedded' || !process.env.TEST_DATABASE_URL
      database = embedded ? undefined : await freshPostgresDatabase(process.env.TEST_DATABASE_URL!, 'soak')
      gateway = await startGatewayProcess(
        gatewayEnv({
          ...(database ? { DATABASE_URL: database.url } : {}),
          ...probeEnv(),
          ...extraGatewayEnv(),
          DATA_DIR: dataDir,
          ROOT_ACCESS_TOKEN: ADMIN,
          METRICS_TOKEN: METRICS,
          CRYPTO_SECRET: 'soak-crypto-secret-0123456789',
          SESSION_SECRET: 'soak-session-secret-0123456789',
        }),
      )
      const pid = gateway.process.pid
      await gateway.admin(ADMIN, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
      await gateway.admin(ADMIN, 'POST', '/api/channels', { name: 'slow', type: 'openai', key: 'sk-up', baseUrl: slowFake.url, models: [ABANDON_MODEL] })
      const { key } = await gateway.admin<{ key: string }>(ADMIN, 'POST', '/api/tokens', { name: 'soak', quota: 1_000_000_000_000 })

      // Warm-up: one of each kind, so lazy pools (database, upstream keep-alive) exist before the baseline.
      // The whole stream on the abandoned model is the reference an abandoned stream must cost less than.
      const reference = await call(gateway, key, 'abandoned', undefined, true)
      expect(reference.ok).toBe(true)
      for (const kind of ['plain', 'stream'] as const) await call(gateway, key, kind)
      await Bun.sleep(1000)
      // The gateway stops reading the reference stream at [DONE]: whether the fake saw its end or an abort
      // first is a race (it saw the abort in most runs; once, on a loaded machine, its own end).
      expect(slowFake.openStreams).toBe(0)
      const abortedBefore = slowFake.abortedStreams
      const port = Number(new URL(gateway.url).port)
      const databasePort = database ? Number(new URL(database.url).port) : undefined
      const socketsOf = () => gatewaySockets(pid, port, [Number(new URL(fake!.url).port), Number(new URL(slowFake!.url).port)], databasePort)
      const total = (heaps: ReturnType<typeof socketsOf>) => heaps.other + heaps.clientKeepAlive + heaps.upstream + heaps.database
      const baseline = { rss: rssOf(pid), sockets: socketsOf() }
      const startTotal = total(baseline.sockets)
      const samples: Array<{ atMs: number; rss: number; sockets: number; lagMs: number; heapUsed: number }> = []
      const outcomes: Promise<Outcome>[] = []
      const kinds: Kind[] = ['plain', 'stream', 'abandoned']
      const leaving = { now: 0, left: [] as number[] }
      /** Upstream streams of abandoned calls still open although their client left more than 1 s before. */
      const lingering: number[] = []
      const started = Date.now()
      let sampled = started
      while (Date.now() - started < LOAD_MS) {
        // Steady rate: start the calls that are due, then wait for the next tick.
        const due = Math.floor(((Date.now() - started) * RATE) / 1000) - outcomes.length
        for (let index = 0; index < due; index++) {
          const kind = kinds[outcomes.length % 3]!
          if (kind === 'abandoned') leaving.now++
          outcomes.push(call(gateway, key, kind, leaving).finally(() => kind === 'abandoned' && leaving.now--))
        }
        if (Date.now() - sampled >= SAMPLE_MS) {
          sampled = Date.now()
          // Every stream open on the slow upstream belongs to a client still reading or one that left under 1 s ago.
          const recent = leaving.left.filter((at) => sampled - at < 1000).length
          if (slowFake.openStreams > leaving.now + recent) lingering.push(slowFake.openStreams - leaving.now - recent)
          const open = socketsOf()
          samples.push({ atMs: sampled - started, rss: rssOf(pid), sockets: total(open), ...(await metricsOf(gateway)) })
        }
        await Bun.sleep(25)
      }
      const results = await Promise.all(outcomes)
      const abandoned = results.filter((outcome) => outcome.kind === 'abandoned')

      // One second after the last client left, the fake upstream sends nothing any more, and every abandoned
      // stream is one the upstream saw its reader leave (the gateway aborted it, it did not run to its end).
      expect(results.filter((outcome) => !outcome.ok)).toEqual([])
      const lastLeft = Math.max(...leaving.left)
      await Bun.sleep(Math.max(0, lastLeft + 1000 - Date.now()))
      expect({ lingering, openUpstreamStreams: slowFake.openStreams }).toEqual({ lingering: [], openUpstreamStreams: 0 })
      expect(slowFake.abortedStreams - abortedBefore).toBe(abandoned.length)
      expect(fake.openStreams).toBe(0)

      // Sockets back to the baseline once the load is over; memory growth within a generous bound. Measured
      // before reading the books below: the admin log export of every row is not part of the soak's load.
      let sockets = socketsOf()
      const settled = () => sockets.other <= baseline.sockets.other && sockets.upstream <= 2
      for (let wait = 0; wait < 20 && !settled(); wait++) {
        await Bun.sleep(250)
        sockets = socketsOf()
      }
      const end = { atMs: Date.now() - started, rss: rssOf(pid), sockets: total(sockets), ...(await metricsOf(gateway)) }
      samples.push(end)

      // Each abandoned stream is billed for what it delivered: less than a whole stream, more than nothing.
      const rows = await loggedCharges(gateway.url, ADMIN)
      const byRequest = new Map(rows.map((row) => [row.requestId, row]))
      const wholeCost = byRequest.get(reference.requestId ?? '')?.quota ?? 0
      expect(wholeCost).toBeGreaterThan(0)
      const misbilled = abandoned
        .map((outcome) => ({ requestId: outcome.requestId, row: byRequest.get(outcome.requestId ?? '') }))
        .filter(({ row }) => !row || !(row.quota > 0 && row.quota < wholeCost) || !row.details.includes('client-aborted'))
      expect(misbilled).toEqual([])
      expect(rows.length).toBe(results.length + 3)
      const afterBooks = rssOf(pid)
      const maxRss = Math.max(...samples.map((sample) => sample.rss))
      // RSS over the load: the first and second halves' growth tell warm-up from a steady leak.
      const middle = samples[Math.floor((samples.length - 1) / 2)]!
      const halfway = middle.rss

      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
      const lagP99Max = Math.max(...samples.map((sample) => sample.lagMs))
      const figures = [
        `${Math.round(LOAD_MS / 1000)} s at ${RATE} calls/s: ${results.length} calls (${abandoned.length} streams abandoned after ${ABANDON_AFTER} events), 0 failed`,
        `RSS start ${mb(baseline.rss)} MB, halfway ${mb(halfway)} MB, end ${mb(end.rss)} MB, max ${mb(maxRss)} MB; JS heap in use: first sample ${mb(samples[0]!.heapUsed)} MB, halfway ${mb(middle.heapUsed)} MB, end ${mb(end.heapUsed)} MB`,
        `RSS after reading the books (the admin log export of ${rows.length} rows): ${mb(afterBooks)} MB`,
        `sockets start ${startTotal}, max ${Math.max(...samples.map((sample) => sample.sockets))}, end ${end.sockets} (the client's idle keep-alive ${sockets.clientKeepAlive}, idle upstream ${sockets.upstream}, database ${sockets.database} (start ${baseline.sockets.database}), the rest ${sockets.other} = start ${baseline.sockets.other})`,
        `event-loop lag p99 (10 s windows) max ${lagP99Max.toFixed(1)} ms, end ${end.lagMs.toFixed(1)} ms`,
        `upstream streams aborted ${slowFake.abortedStreams - abortedBefore} of ${abandoned.length} abandoned; open 1 s after their client left: ${lingering.length === 0 ? 0 : Math.max(...lingering)} (at any sample), ${slowFake.openStreams} (at the end)`,
        `abandoned streams charged ${Math.min(...abandoned.map((outcome) => byRequest.get(outcome.requestId ?? '')?.quota ?? 0))}-${Math.max(...abandoned.map((outcome) => byRequest.get(outcome.requestId ?? '')?.quota ?? 0))} units each, a whole stream ${wholeCost}`,
      ]
      // At minutes 1, 2, 5, 10 (those within the load) and the RSS slope after the first minute's warm-up.
      for (const minute of [1, 2, 5, 10].filter((at) => at * 60_000 <= LOAD_MS)) {
        const at = samples.reduce((best, sample) => (Math.abs(sample.atMs - minute * 60_000) < Math.abs(best.atMs - minute * 60_000) ? sample : best))
        figures.push(
          `minute ${minute}: RSS ${mb(at.rss)} MB, JS heap ${mb(at.heapUsed)} MB, sockets ${at.sockets}, event-loop lag p99 ${at.lagMs.toFixed(1)} ms`,
        )
      }
      if (LOAD_MS >= 180_000) {
        const afterWarmUp = samples.filter((sample) => sample.atMs >= 120_000 && sample !== end)
        const perMinute = (pick: (sample: (typeof samples)[number]) => number) =>
          slope(afterWarmUp.map((sample) => [sample.atMs / 60_000, pick(sample)])) / 1_048_576
        figures.push(
          `slope over minutes 2-${Math.round(LOAD_MS / 60_000)}: RSS ${perMinute((sample) => sample.rss).toFixed(2)} MB/min, JS heap ${perMinute((sample) => sample.heapUsed).toFixed(2)} MB/min (${afterWarmUp.length} samples)`,
        )
      }
      figures.push(
        `database: ${embedded ? 'embedded PGlite' : 'PostgreSQL'}${process.env.SOAK_GATEWAY_ENV ? `; gateway settings ${process.env.SOAK_GATEWAY_ENV}` : ''}`,
      )
      if (LONG_CAMPAIGN || process.env.CHAOS_VERBOSE) console.log(figures.join('\n'))
      const socketsBack = sockets.other === baseline.sockets.other && sockets.upstream <= 2 && sockets.database <= DATABASE_SOCKETS
      const rssBound = 128 * 1024 * 1024
      reportCampaign({
        campaign: 'soak',
        probes: results.length,
        failures: misbilled.length + (socketsBack ? 0 : 1) + (end.rss - baseline.rss < rssBound ? 0 : 1),
        moneyDiscrepancyUnits: 0,
        rows: figures,
      })
      // Back to the baseline, but for idle keep-alive: at most one pooled connection per upstream.
      expect({ other: sockets.other, upstreamAtMost2: sockets.upstream <= 2, databaseWithinPool: sockets.database <= DATABASE_SOCKETS }).toEqual({
        other: baseline.sockets.other,
        upstreamAtMost2: true,
        databaseWithinPool: true,
      })
      expect(end.rss - baseline.rss).toBeLessThan(rssBound)
    },
    LONG_CAMPAIGN ? 3_600_000 : 60_000,
  )
})
