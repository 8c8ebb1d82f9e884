// Relay benchmark: the fixed fake upstream served directly, a bare proxy in front of it (the ceiling),
// the gateway in front of it, and a peer gateway (Portkey OSS) in front of it, measured side by side in
// one invocation. The ceiling (scripts/bench/bare-proxy.ts) is Bun.serve + fetch and nothing else: it
// forwards the body and streams the answer back, which the issue takes as the ceiling for any Bun
// gateway on this machine, so the gateway's figures are read against it from the same rounds. Each cell of the matrix (mode × body ×
// concurrency) gets a short warm-up per target, then `--runs` rounds, each measuring direct / ceiling /
// gateway / peer back to back; every figure printed is the median of the rounds (ratios and added
// latencies are computed per round, then their median), because a 2-core machine shared by load
// generator, upstream, proxies and gateways is noisy. That sharing is intended.
//
//   npm run bench                                          # full matrix, 3 rounds × 10 s, embedded PGlite, with the peer
//   npm run bench -- --duration 3 --runs 1 --concurrency 50 --body small --mode non-stream
//   npm run bench -- --database-url postgres://… --redis-url redis://…   # gateway on PostgreSQL (emptied first) + Redis (FLUSHDB first)
//   npm run bench -- --soak 300 --scenarios soak           # only the 5-minute RSS soak
//   npm run bench -- --profile --duration 5 --runs 1       # gateway under Bun's CPU profiler
//
// Flags (lists are comma-separated):
//   --mode non-stream,stream     request modes (default both)
//   --body small,large           small: ~100 B chat request (gpt-4o-mini, one short question, max_tokens 64);
//                                large: ~100 KB, one user message of generated English prose (default both)
//   --concurrency 1,50,200       connections (default 1,50,200). c=1 uses our own sequential client; c>1 autocannon
//   --duration 10                seconds per measured run
//   --warmup 2                   seconds of warm-up per target per cell (0 for none)
//   --runs 3                     rounds per cell (direct, ceiling, gateway, peer back to back in each round)
//   --key funded|unlimited       which gateway key the load uses (default funded: a large finite quota, so every
//                                call goes through the quota ledger; unlimited skips the key's quota, not the owner's)
//   --no-peer                    skip the peer gateway (ratios to the peer read "n/a")
//   --no-ceiling                 skip the bare proxy (ratios to the ceiling read "n/a")
//   --peer-version 1.15.2        @portkey-ai/gateway version (installed on first use, see peer-gateway.ts)
//   --database-url postgres://…  gateway on this PostgreSQL database instead of embedded PGlite; it is EMPTIED first
//   --redis-url redis://…        gateway with REDIS_URL (only with --database-url); the database index it names is FLUSHDB'd first
//   --profile                    start the gateway under `bun --cpu-prof --cpu-prof-md`; the profile directory is printed at the end
//   --scenarios matrix           what to run: matrix, conversions (cross-dialect vs passthrough on the gateway, with
//                                the fixture-replaying fake), soak; default matrix (plus soak when --soak is given)
//   --scenarios transcription    a 5 MB audio file posted to /v1/audio/transcriptions at c=10 for --duration seconds:
//                                the gateway's added RSS against 3× the file size in flight (scripts/bench/transcription.ts)
//   --soak 300                   seconds of c=50 non-stream small against the gateway, RSS every 10 s; growth is
//                                measured from the end of the first minute (warm-up) to the end
//   --json results.json          write every raw run, the medians, the soak and the targets to this file
//   --help                       print this header
//
// Measurement notes:
//   - Load runs in Node child processes (scripts/bench/load.mjs), never in the gateway's process.
//   - autocannon's HDR histogram keeps whole milliseconds (a 0.93 ms p50 reads 0), useless for a 0.3 ms
//     budget. So latencies come from exact times: at c=1 our own sequential keep-alive client
//     (performance.now() around each request, same client for every target); at c>1 the
//     process.hrtime duration autocannon passes with each response event.
//   - Gateway health after each gateway run: RSS from /proc/<pid>/status (VmRSS, all threads), and the event-loop
//     lag p99/max over that run's seconds from GET /api/system/runtime (core/runtime/event-loop-monitor.ts).
//   - CPU per 2xx answer of the gateway and the bare proxy, by thread (scripts/bench/thread-cpu.ts, /proc/<pid>/task):
//     far steadier than req/s on a shared machine, and it shows which thread (event loop, PGlite, fetch, GC, JIT) costs what.
//   - Any non-2xx answer, connection error or timeout is counted and shown per target, never dropped.
//   - Bounded: every run has a deadline, the whole bench a time bound (estimated × 1.5 + 2 min); on error, Ctrl-C,
//     SIGTERM or the bound, every child (upstream, bare proxy, gateway, peer, load) is stopped.
//   - The upstream and the bare proxy are started once per bench, each in its own process, and stopped at the end.
//   - The targets block at the end says met / NOT met for each target of the issue, or "not measured"; a context
//     line per c=50 cell sets the gateway's share of direct beside the ceiling's (no verdict: it is not a target).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { installExitHandlers, residentBytes, startService, stopAll, stopService, type Service } from './child-processes.ts'
import { runConversions, type ConversionSummary } from './conversions.ts'
import { startGateway, type Gateway } from './gateway-under-test.ts'
import { cellsOf, runMatrix, type Mode, type RunRecord } from './matrix.ts'
import { PEER_VERSION, startPeerGateway, type PeerGateway } from './peer-gateway.ts'
import type { BodySize } from './request-bodies.ts'
import { runSoak } from './soak.ts'
import { formatTranscription, runTranscription, type TranscriptionSummary } from './transcription.ts'
import { formatCells, formatTargets, summariseCell, targetLines, type SoakSummary } from './summary.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The parsed command line. */
interface BenchOptions {
  modes: Mode[]
  bodies: BodySize[]
  concurrencies: number[]
  durationSeconds: number
  warmupSeconds: number
  runs: number
  key: 'funded' | 'unlimited'
  peer: boolean
  ceiling: boolean
  peerVersion: string
  databaseUrl?: string
  redisUrl?: string
  profile: boolean
  scenarios: Set<'matrix' | 'conversions' | 'soak' | 'transcription'>
  soakSeconds: number
  jsonFile?: string
}

/** A comma-separated list whose items must be among `allowed`. */
function listOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  const wrong = items.filter((item) => !allowed.includes(item as T))
  if (wrong.length > 0 || items.length === 0) throw new Error(`--${flag}: expected some of ${allowed.join(', ')}, got "${value}"`)
  return items as T[]
}

/** A positive number (integer when asked). */
function positive(flag: string, value: string, integer: boolean, allowZero = false): number {
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0) || (integer && !Number.isInteger(number)))
    throw new Error(`--${flag}: expected a ${integer ? 'whole ' : ''}number${allowZero ? '' : ' above 0'}, got "${value}"`)
  return number
}

/** Reads the flags documented at the top of this file. */
function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      mode: { type: 'string', default: 'non-stream,stream' },
      body: { type: 'string', default: 'small,large' },
      concurrency: { type: 'string', default: '1,50,200' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      runs: { type: 'string', default: '3' },
      key: { type: 'string', default: 'funded' },
      'no-peer': { type: 'boolean', default: false },
      'no-ceiling': { type: 'boolean', default: false },
      'peer-version': { type: 'string', default: PEER_VERSION },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      profile: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      soak: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return 'help'
  if (values['redis-url'] && !values['database-url'])
    throw new Error('--redis-url needs --database-url (the embedded mode is one process, with in-process cache and limits)')
  const scenarios = new Set(
    listOf('scenarios', values.scenarios ?? (values.soak ? 'matrix,soak' : 'matrix'), ['matrix', 'conversions', 'soak', 'transcription'] as const),
  )
  return {
    modes: listOf('mode', values.mode, ['non-stream', 'stream'] as const),
    bodies: listOf('body', values.body, ['small', 'large'] as const),
    concurrencies: values.concurrency.split(',').map((item) => positive('concurrency', item.trim(), true)),
    durationSeconds: positive('duration', values.duration, false),
    warmupSeconds: positive('warmup', values.warmup, false, true),
    runs: positive('runs', values.runs, true),
    key: listOf('key', values.key, ['funded', 'unlimited'] as const)[0]!,
    peer: !values['no-peer'] && scenarios.has('matrix'),
    // Only the matrix measures the ceiling; conversions and soak run against the gateway alone.
    ceiling: !values['no-ceiling'] && scenarios.has('matrix'),
    peerVersion: values['peer-version'],
    databaseUrl: values['database-url'],
    redisUrl: values['redis-url'],
    profile: values.profile,
    scenarios,
    soakSeconds: values.soak ? positive('soak', values.soak, false) : 300,
    jsonFile: values.json,
  }
}

/** Seconds the whole bench should take, from which its time bound is derived. */
function estimateSeconds(options: BenchOptions): number {
  const cells = options.modes.length * options.bodies.length * options.concurrencies.length
  const targets = 2 + (options.peer ? 1 : 0) + (options.ceiling ? 1 : 0)
  const perRun = options.durationSeconds + 3
  const matrix = options.scenarios.has('matrix') ? cells * targets * (options.warmupSeconds + 3 + options.runs * perRun) : 0
  const conversions = options.scenarios.has('conversions') ? 8 * (options.warmupSeconds + 3 + options.runs * perRun) : 0
  const soak = options.scenarios.has('soak') ? options.soakSeconds + 10 : 0
  const transcription = options.scenarios.has('transcription') ? options.durationSeconds + 15 : 0
  return 120 + matrix + conversions + soak + transcription
}

/** Ends everything when the bench overruns its bound (a hung child must not hold the machine). */
function armTimeBound(seconds: number): Timer {
  const timer = setTimeout(() => {
    console.error(`\nthe bench overran its time bound of ${seconds} s: stopping every child process`)
    void stopAll(5_000).then(() => process.exit(2))
  }, seconds * 1000)
  timer.unref()
  return timer
}

/** Starts the peer, or says why it is left out. */
async function startPeer(options: BenchOptions, upstreamUrl: string): Promise<PeerGateway | undefined> {
  if (!options.peer) return undefined
  try {
    return await startPeerGateway(root, upstreamUrl, options.peerVersion)
  } catch (error) {
    console.log(
      `peer gateway unavailable, continuing without it (ratios to the peer read n/a): ${String(error instanceof Error ? error.message : error).slice(0, 800)}`,
    )
    return undefined
  }
}

/** Starts the bare proxy in front of the upstream, unless --no-ceiling (or no matrix) leaves it out. */
async function startCeiling(options: BenchOptions, upstreamUrl: string): Promise<Service | undefined> {
  if (!options.ceiling) return undefined
  return startService('bare-proxy', [process.execPath, 'scripts/bench/bare-proxy.ts', upstreamUrl], { cwd: root, ready: /listening (http:\/\/\S+)/ })
}

/** Versions and settings printed first and stored in the JSON. */
function describeSetup(options: BenchOptions, gateway: Gateway, peer: PeerGateway | undefined, profileDir: string | undefined) {
  const nodeVersion = Bun.spawnSync(['node', '--version']).stdout.toString().trim()
  return {
    started: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
    bun: Bun.version,
    node: nodeVersion,
    database: gateway.database + (options.redisUrl ? ' + redis' : ''),
    key: options.key,
    peer: peer ? `@portkey-ai/gateway@${peer.version} (node)` : 'none',
    ceiling: options.ceiling ? 'bare Bun.serve + fetch proxy (scripts/bench/bare-proxy.ts)' : 'none',
    modes: options.modes,
    bodies: options.bodies,
    concurrencies: options.concurrencies,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    runs: options.runs,
    scenarios: [...options.scenarios],
    profileDir,
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  if (options === 'help') {
    const header = readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('//'))
    console.log(header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n'))
    return
  }
  if (!Bun.which('node')) throw new Error('node is not on PATH: the load generator and the peer run on Node')
  installExitHandlers()
  const bound = Math.round(estimateSeconds(options) * 1.5 + 120)
  armTimeBound(bound)
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'hanggent-bench-profile-')) : undefined
  const upstream = await startService('fixed-upstream', [process.execPath, 'scripts/bench/fixed-upstream.ts'], { cwd: root, ready: /listening (http:\/\/\S+)/ })
  const ceiling = await startCeiling(options, upstream.ready)
  const gateway = await startGateway({ root, upstreamUrl: upstream.ready, databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, profileDir })
  const key = gateway.keys[options.key]
  const matrix = {
    root,
    upstreamUrl: upstream.ready,
    ceilingUrl: ceiling?.ready,
    ceilingPid: ceiling?.child.pid,
    gateway,
    gatewayKey: key,
    peer: await startPeer(options, upstream.ready),
    runs: options.runs,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
  }
  const meta = describeSetup(options, gateway, matrix.peer, profileDir)
  console.log(
    `bench: ${meta.cores} cores, bun ${meta.bun}, node ${meta.node}; gateway on ${meta.database}, ${options.key} key; ceiling ${meta.ceiling}; peer ${meta.peer}; time bound ${bound} s`,
  )

  const records: RunRecord[] = []
  const cells = cellsOf(options.modes, options.bodies, options.concurrencies)
  let conversions: ConversionSummary[] | undefined
  let soak: SoakSummary | undefined
  let transcription: TranscriptionSummary | undefined
  try {
    // The matrix drops the peer (matrix.peer = undefined) if it fails mid-run.
    if (options.scenarios.has('matrix')) await runMatrix(matrix, cells, (record) => records.push(record))
    if (options.scenarios.has('conversions'))
      conversions = await runConversions(root, gateway, key, {
        concurrency: options.concurrencies[0]!,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        runs: options.runs,
      })
    if (options.scenarios.has('soak')) soak = await runSoak(root, gateway, key, options.soakSeconds)
    if (options.scenarios.has('transcription')) transcription = await runTranscription(gateway, key, { durationSeconds: options.durationSeconds })
    const finalRssBytes = await residentBytes(gateway.pid)
    const finalHealth = await gateway.health(120)
    const summaries = options.scenarios.has('matrix') ? cells.map((cell) => summariseCell(cell, records)) : []
    if (summaries.length > 0) console.log(`\n${formatCells(summaries)}`)
    console.log(
      `\ngateway at the end: RSS ${((finalRssBytes ?? 0) / 1_048_576).toFixed(1)} MB; event-loop lag over the last ${finalHealth.eventLoopLagMs?.windowSeconds ?? '?'} s: p99 ${finalHealth.eventLoopLagMs?.p99 ?? '?'} ms, max ${finalHealth.eventLoopLagMs?.max ?? '?'} ms`,
    )
    const targets = targetLines(summaries, finalRssBytes, soak)
    console.log(`\n${formatTargets(targets)}`)
    if (transcription) console.log(`\n${formatTranscription(transcription)}`)
    if (options.jsonFile) {
      writeFileSync(
        options.jsonFile,
        `${JSON.stringify({ meta: { ...meta, finished: new Date().toISOString() }, runs: records, cells: summaries, conversions, soak, transcription, finalRssBytes, finalHealth, targets }, null, 2)}\n`,
      )
      console.log(`\nwrote ${options.jsonFile}`)
    }
  } finally {
    await matrix.peer?.stop()
    const profiles = await gateway.stop()
    if (ceiling) await stopService(ceiling, 5_000)
    await stopService(upstream, 5_000)
    if (profileDir)
      console.log(
        profiles.length > 0
          ? `\nCPU profile of the gateway:\n${profiles.map((file) => `  ${file}`).join('\n')}`
          : `\nno CPU profile was written to ${profileDir}`,
      )
  }
}

try {
  await main()
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  await stopAll(5_000)
  process.exit(1)
}
