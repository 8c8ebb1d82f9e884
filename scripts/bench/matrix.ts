// The measured matrix: for each cell (mode × body × concurrency), a short warm-up per target, then
// `runs` rounds, each measuring direct / ceiling / gateway / peer back to back, so all of them see the
// same machine state and the medians of the rounds can be compared.
import type { Gateway, GatewayHealth } from './gateway-under-test.ts'
import type { PeerGateway } from './peer-gateway.ts'
import { chatRequestBody, type BodySize } from './request-bodies.ts'
import { bodyFile, runLoad, type LoadResult, type LoadTarget } from './run-load.ts'
import { cpuPerAnswer, cpuSnapshot, type ThreadGroup } from './thread-cpu.ts'

/** Non-stream or stream requests. */
export type Mode = 'non-stream' | 'stream'
/** What a run measures: the upstream served directly, the bare forwarding proxy (bare-proxy.ts), our gateway, or the peer gateway. */
export type TargetName = 'direct' | 'ceiling' | 'gateway' | 'peer'
/** Targets in the order each round measures them. */
export const TARGET_ORDER: TargetName[] = ['direct', 'ceiling', 'gateway', 'peer']

/** One cell of the matrix. */
export interface Cell {
  mode: Mode
  body: BodySize
  concurrency: number
}

/** One measured run of one target in one cell. */
export interface RunRecord {
  cell: Cell
  round: number
  target: TargetName
  result: LoadResult
  /** After a gateway run: its RSS and event-loop lag over that run. */
  gatewayHealth?: GatewayHealth
  /** After a peer run: its RSS. */
  peerRssBytes?: number
  /** After a gateway or ceiling run: CPU microseconds per 2xx answer, by thread group and in total (Linux only). */
  cpuUs?: Record<ThreadGroup, number> & { total: number }
}

/** What the matrix needs to run. */
export interface MatrixSetup {
  root: string
  upstreamUrl: string
  gateway: Gateway
  gatewayKey: string
  /** Base URL of the bare proxy in front of the same upstream; undefined with --no-ceiling. */
  ceilingUrl: string | undefined
  /** The bare proxy's process, for its CPU per answer. */
  ceilingPid: number | undefined
  /** Undefined without a peer; set to undefined by the matrix when the peer fails mid-run. */
  peer: PeerGateway | undefined
  runs: number
  durationSeconds: number
  warmupSeconds: number
}

const benchStarted = performance.now()

/** Seconds since the bench started, as a prefix for progress lines. */
export function stamp(): string {
  return `[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s]`
}

/** A readable name of a cell, e.g. `non-stream small c=50`. */
export function cellName(cell: Cell): string {
  return `${cell.mode} ${cell.body} c=${cell.concurrency}`
}

/** Every combination of the chosen modes, bodies and concurrencies, in that nesting order. */
export function cellsOf(modes: Mode[], bodies: BodySize[], concurrencies: number[]): Cell[] {
  return modes.flatMap((mode) => bodies.flatMap((body) => concurrencies.map((concurrency) => ({ mode, body, concurrency }))))
}

/** The URL and headers of a target, or undefined when it is not there (no ceiling, no peer). */
function targetOf(setup: MatrixSetup, name: TargetName): LoadTarget | undefined {
  const json = { 'content-type': 'application/json' }
  if (name === 'direct') return { url: `${setup.upstreamUrl}/v1/chat/completions`, headers: { ...json, authorization: 'Bearer sk-bench' } }
  // The bare proxy forwards the upstream key as it gets it, as a client of the upstream would send it.
  if (name === 'ceiling')
    return setup.ceilingUrl ? { url: `${setup.ceilingUrl}/v1/chat/completions`, headers: { ...json, authorization: 'Bearer sk-bench' } } : undefined
  if (name === 'gateway') return { url: `${setup.gateway.url}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${setup.gatewayKey}` } }
  return setup.peer ? { url: `${setup.peer.url}/v1/chat/completions`, headers: setup.peer.headers } : undefined
}

/** One line of progress as each run ends. */
function describeRun(record: RunRecord, runs: number): string {
  const { result } = record
  const failures = result.non2xx + result.errors + result.timeouts + (result.requests === 0 ? 1 : 0)
  const lag = record.gatewayHealth?.eventLoopLagMs
  const cpu = record.cpuUs ? `, cpu ${record.cpuUs.total} µs/answer` : ''
  const health =
    record.target === 'gateway' && record.gatewayHealth
      ? `  rss ${((record.gatewayHealth.rssBytes ?? 0) / 1_048_576).toFixed(0)} MB${lag ? `, lag p99 ${lag.p99} ms max ${lag.max} ms` : ''}${cpu}`
      : cpu
  const latency = record.cell.concurrency === 1 ? `  p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms` : ''
  return `${stamp()} [${cellName(record.cell)}] round ${record.round}/${runs} ${record.target.padEnd(7)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s${latency}${failures ? `  FAILURES${result.requests === 0 ? ' (no 2xx answer at all)' : ''} non2xx ${result.non2xx} errors ${result.errors} timeouts ${result.timeouts} ${JSON.stringify(result.statusCodes)}` : ''}${health}`
}

/** The process whose CPU is read for a target: the gateway's and the bare proxy's (the others are not ours to explain). */
function pidOf(setup: MatrixSetup, target: TargetName): number | undefined {
  if (target === 'gateway') return setup.gateway.pid
  if (target === 'ceiling') return setup.ceilingPid
  return undefined
}

/** Runs one target once, with the CPU its process spent; a failing peer is dropped (the run goes on without it), any other failure ends the bench. */
async function measure(
  setup: MatrixSetup,
  cell: Cell,
  target: TargetName,
  file: string,
  seconds: number,
): Promise<{ result: LoadResult; cpuUs?: RunRecord['cpuUs'] } | undefined> {
  const loadTarget = targetOf(setup, target)
  if (!loadTarget) return undefined
  const pid = pidOf(setup, target)
  const before = pid === undefined ? undefined : cpuSnapshot(pid)
  try {
    const result = await runLoad(setup.root, { target: loadTarget, bodyFile: file, connections: cell.concurrency, durationSeconds: seconds })
    // Read at once: the load has ended, so what the process spends from here on is not the run's.
    const cpuUs = pid === undefined || !before ? undefined : cpuPerAnswer(before, cpuSnapshot(pid), result.requests)
    return { result, ...(cpuUs ? { cpuUs } : {}) }
  } catch (error) {
    if (target !== 'peer') throw error
    console.log(`  peer failed in ${cellName(cell)}; continuing without it: ${String(error).slice(0, 400)}`)
    await setup.peer?.stop()
    setup.peer = undefined
    return undefined
  }
}

/** Runs every cell; calls `onRecord` after each measured run. */
export async function runMatrix(setup: MatrixSetup, cells: Cell[], onRecord: (record: RunRecord) => void): Promise<void> {
  for (const cell of cells) {
    const file = bodyFile(`${cell.mode}-${cell.body}`, chatRequestBody(cell.body, cell.mode === 'stream'))
    console.log(`${stamp()} ${cellName(cell)}: warm-up ${setup.warmupSeconds} s per target, then ${setup.runs} × ${setup.durationSeconds} s per target`)
    if (setup.warmupSeconds > 0) for (const target of TARGET_ORDER) await measure(setup, cell, target, file, setup.warmupSeconds)
    for (let round = 1; round <= setup.runs; round++) {
      for (const target of TARGET_ORDER) {
        const measured = await measure(setup, cell, target, file, setup.durationSeconds)
        if (!measured) continue
        const record: RunRecord = { cell, round, target, ...measured }
        if (target === 'gateway') record.gatewayHealth = await setup.gateway.health(setup.durationSeconds)
        if (target === 'peer') record.peerRssBytes = await setup.peer?.rssBytes()
        onRecord(record)
        console.log(describeRun(record, setup.runs))
      }
    }
  }
}
