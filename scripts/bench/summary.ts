// Medians over the rounds of each cell, the tables printed at the end, and the targets block.
// Ratios and added latencies are paired: computed per round (direct, ceiling, gateway and peer measured
// back to back) and then the median of those is taken, which cancels most of the drift of a noisy machine.
import { cellName, TARGET_ORDER, type Cell, type RunRecord, type TargetName } from './matrix.ts'
import { THREAD_GROUPS, type ThreadGroup } from './thread-cpu.ts'

/** Failures of one target in one cell, summed over the rounds. */
export interface Failures {
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  /** Runs that got no 2xx answer at all (a target that stalls shows here even with no error counted). */
  runsWithoutAnswers?: number
}

/** The medians of one cell. */
export interface CellSummary {
  cell: Cell
  rounds: number
  requestsPerSecond: Partial<Record<TargetName, number>>
  latencyMs: Partial<Record<TargetName, { p50: number; p99: number }>>
  /** Gateway minus direct, per round, then the median. */
  addedLatencyMs?: { p50: number; p99: number }
  /** Ceiling (bare proxy) minus direct, per round, then the median: what merely forwarding costs. */
  ceilingAddedLatencyMs?: { p50: number; p99: number }
  gatewayPercentOfDirect?: number
  /** The gateway's throughput as a share of the bare proxy's, per round, then the median. */
  gatewayPercentOfCeiling?: number
  /** The bare proxy's throughput as a share of direct, per round, then the median. */
  ceilingPercentOfDirect?: number
  gatewayTimesPeer?: number
  failures: Partial<Record<TargetName, Failures>>
  /** Median over the rounds of the gateway's lag p99; the largest max of any round. */
  eventLoopLagMs?: { p99: number; max: number }
  gatewayRssBytes?: number
  peerRssBytes?: number
  /** CPU microseconds per 2xx answer of the gateway's and the bare proxy's processes: median of the rounds, by thread group and in total. */
  cpuUs?: Partial<Record<'gateway' | 'ceiling', Record<ThreadGroup | 'total', number>>>
}

/** Soak figures: RSS every 10 s of a long c=50 run. */
export interface SoakSummary {
  seconds: number
  samples: Array<{ atSeconds: number; rssBytes: number }>
  /** RSS at the end of the first minute (the warm-up) and at the end. */
  afterFirstMinuteBytes: number
  endBytes: number
  growthBytes: number
  growthPercent: number
  requestsPerSecond: number
  failures: Failures
}

/** One target of the issue with the figure measured and whether it is met; `context` lines are figures to read the targets by, not targets. */
export interface TargetLine {
  target: string
  figure: string
  verdict: 'met' | 'NOT met' | 'not measured' | 'context'
}

/** The median of numbers (the mean of the middle two for an even count); undefined when there are none. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits
const sameCell = (a: Cell, b: Cell) => a.mode === b.mode && a.body === b.body && a.concurrency === b.concurrency

/** Sums the failures of a target's runs. */
function failuresOf(records: RunRecord[]): Failures {
  const failures: Failures = { non2xx: 0, errors: 0, timeouts: 0, statusCodes: {}, runsWithoutAnswers: 0 }
  for (const { result } of records) {
    if (result.requests === 0) failures.runsWithoutAnswers! += 1
    failures.non2xx += result.non2xx
    failures.errors += result.errors
    failures.timeouts += result.timeouts
    for (const [code, count] of Object.entries(result.statusCodes))
      if (!code.startsWith('2')) failures.statusCodes[code] = (failures.statusCodes[code] ?? 0) + count
  }
  return failures
}

/** Median over rounds of f(subject run, other run), for rounds that measured both. */
function pairedMedian(
  records: RunRecord[],
  subject: TargetName,
  other: TargetName,
  pick: (subject: RunRecord, other: RunRecord) => number,
): number | undefined {
  const values: number[] = []
  for (const run of records.filter((record) => record.target === subject)) {
    const partner = records.find((record) => record.target === other && record.round === run.round)
    if (partner) values.push(pick(run, partner))
  }
  const value = median(values)
  return value === undefined ? undefined : round(value)
}

/** Subject minus direct latency (p50 and p99), per round, then the median; undefined without paired rounds. */
function addedLatency(records: RunRecord[], subject: TargetName): { p50: number; p99: number } | undefined {
  const p50 = pairedMedian(records, subject, 'direct', (run, direct) => run.result.latencyMs.p50 - direct.result.latencyMs.p50)
  const p99 = pairedMedian(records, subject, 'direct', (run, direct) => run.result.latencyMs.p99 - direct.result.latencyMs.p99)
  return p50 === undefined || p99 === undefined ? undefined : { p50, p99 }
}

/** The medians of one cell's runs. */
export function summariseCell(cell: Cell, all: RunRecord[]): CellSummary {
  const records = all.filter((record) => sameCell(record.cell, cell))
  const summary: CellSummary = { cell, rounds: Math.max(0, ...records.map((record) => record.round)), requestsPerSecond: {}, latencyMs: {}, failures: {} }
  for (const target of TARGET_ORDER) {
    const runs = records.filter((record) => record.target === target)
    if (runs.length === 0) continue
    summary.requestsPerSecond[target] = round(median(runs.map((run) => run.result.requestsPerSecond))!, 1)
    summary.latencyMs[target] = {
      p50: round(median(runs.map((run) => run.result.latencyMs.p50))!),
      p99: round(median(runs.map((run) => run.result.latencyMs.p99))!),
    }
    summary.failures[target] = failuresOf(runs)
  }
  const percentOf = (subject: RunRecord, other: RunRecord) => (100 * subject.result.requestsPerSecond) / Math.max(other.result.requestsPerSecond, 1e-9)
  const percent = pairedMedian(records, 'gateway', 'direct', percentOf)
  if (percent !== undefined) summary.gatewayPercentOfDirect = round(percent, 1)
  // A peer or ceiling round with no answer at all has no ratio (it would read as an absurd multiple); its failure column says so.
  const answered = records.filter((record) => (record.target !== 'peer' && record.target !== 'ceiling') || record.result.requests > 0)
  const times = pairedMedian(answered, 'gateway', 'peer', (gateway, peer) => gateway.result.requestsPerSecond / peer.result.requestsPerSecond)
  if (times !== undefined) summary.gatewayTimesPeer = round(times, 2)
  const ofCeiling = pairedMedian(answered, 'gateway', 'ceiling', percentOf)
  if (ofCeiling !== undefined) summary.gatewayPercentOfCeiling = round(ofCeiling, 1)
  const ceilingOfDirect = pairedMedian(answered, 'ceiling', 'direct', percentOf)
  if (ceilingOfDirect !== undefined) summary.ceilingPercentOfDirect = round(ceilingOfDirect, 1)
  summary.addedLatencyMs = addedLatency(records, 'gateway')
  summary.ceilingAddedLatencyMs = addedLatency(answered, 'ceiling')
  const healths = records.filter((record) => record.target === 'gateway').map((record) => record.gatewayHealth)
  const lags = healths.flatMap((health) => (health?.eventLoopLagMs ? [health.eventLoopLagMs] : []))
  if (lags.length > 0) summary.eventLoopLagMs = { p99: round(median(lags.map((lag) => lag.p99))!), max: round(Math.max(...lags.map((lag) => lag.max))) }
  summary.gatewayRssBytes = healths.at(-1)?.rssBytes
  for (const target of ['gateway', 'ceiling'] as const) {
    const spent = records.flatMap((record) => (record.target === target && record.cpuUs ? [record.cpuUs] : []))
    if (spent.length === 0) continue
    const medians = { total: round(median(spent.map((cpu) => cpu.total))!, 1) } as Record<ThreadGroup | 'total', number>
    for (const group of THREAD_GROUPS) medians[group] = round(median(spent.map((cpu) => cpu[group]))!, 1)
    summary.cpuUs = { ...summary.cpuUs, [target]: medians }
  }
  summary.peerRssBytes = records.filter((record) => record.target === 'peer').at(-1)?.peerRssBytes
  return summary
}

/** Text table with right-aligned columns after the first. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n')
}

const megabytes = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 1_048_576).toFixed(0)}`)
const number = (value: number | undefined, digits = 0) => (value === undefined ? 'n/a' : value.toFixed(digits))

/** "0", or the failures spelled out (status codes with counts). */
export function describeFailures(failures: Failures | undefined): string {
  if (!failures) return '–'
  if (failures.non2xx + failures.errors + failures.timeouts + (failures.runsWithoutAnswers ?? 0) === 0) return '0'
  const codes = Object.entries(failures.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ')
  return [
    failures.runsWithoutAnswers ? `NO ANSWER in ${failures.runsWithoutAnswers} run(s)` : '',
    failures.non2xx ? `non2xx ${failures.non2xx}${codes ? ` (${codes})` : ''}` : '',
    failures.errors ? `err ${failures.errors}` : '',
    failures.timeouts ? `timeout ${failures.timeouts}` : '',
  ]
    .filter(Boolean)
    .join(', ')
}

/** The throughput table and the latency table of all cells. */
export function formatCells(summaries: CellSummary[]): string {
  const throughput = formatTable(
    [
      'cell',
      'direct req/s',
      'ceiling req/s',
      'gateway req/s',
      'peer req/s',
      'ceiling/direct %',
      'gw/direct %',
      'gw/ceiling %',
      'gw/peer ×',
      'gw failures',
      'direct failures',
      'ceiling failures',
      'peer failures',
      'gw lag p99/max ms',
      'gw RSS MB',
      'peer RSS MB',
    ],
    summaries.map((summary) => [
      cellName(summary.cell),
      number(summary.requestsPerSecond.direct),
      number(summary.requestsPerSecond.ceiling),
      number(summary.requestsPerSecond.gateway),
      number(summary.requestsPerSecond.peer),
      number(summary.ceilingPercentOfDirect, 1),
      number(summary.gatewayPercentOfDirect, 1),
      number(summary.gatewayPercentOfCeiling, 1),
      number(summary.gatewayTimesPeer, 2),
      describeFailures(summary.failures.gateway),
      describeFailures(summary.failures.direct),
      describeFailures(summary.failures.ceiling),
      describeFailures(summary.failures.peer),
      summary.eventLoopLagMs ? `${summary.eventLoopLagMs.p99} / ${summary.eventLoopLagMs.max}` : 'n/a',
      megabytes(summary.gatewayRssBytes),
      megabytes(summary.peerRssBytes),
    ]),
  )
  const pair = (latency: { p50: number; p99: number } | undefined) => (latency ? `${latency.p50.toFixed(3)} / ${latency.p99.toFixed(3)}` : 'n/a')
  const latency = formatTable(
    [
      'cell',
      'direct p50/p99 ms',
      'ceiling p50/p99 ms',
      'gateway p50/p99 ms',
      'peer p50/p99 ms',
      'ceiling added p50 ms',
      'ceiling added p99 ms',
      'gw added p50 ms',
      'gw added p99 ms',
    ],
    summaries.map((summary) => [
      cellName(summary.cell),
      pair(summary.latencyMs.direct),
      pair(summary.latencyMs.ceiling),
      pair(summary.latencyMs.gateway),
      pair(summary.latencyMs.peer),
      number(summary.ceilingAddedLatencyMs?.p50, 3),
      number(summary.ceilingAddedLatencyMs?.p99, 3),
      number(summary.addedLatencyMs?.p50, 3),
      number(summary.addedLatencyMs?.p99, 3),
    ]),
  )
  const cpuRows = summaries.filter((summary) => summary.cpuUs?.gateway || summary.cpuUs?.ceiling)
  const cpu = formatTable(
    ['cell', 'ceiling total', 'gateway total', ...THREAD_GROUPS.map((group) => `gw ${group}`)],
    cpuRows.map((summary) => [
      cellName(summary.cell),
      number(summary.cpuUs?.ceiling?.total, 1),
      number(summary.cpuUs?.gateway?.total, 1),
      ...THREAD_GROUPS.map((group) => number(summary.cpuUs?.gateway?.[group], 1)),
    ]),
  )
  const cpuBlock =
    cpuRows.length === 0
      ? ''
      : `\n\nCPU per 2xx answer (µs, every thread of the process, from /proc; median of rounds; gw main = the event loop, pglite = the embedded database's thread, http = Bun's fetch thread)\n${cpu}`
  return `throughput (median of rounds; ratios are medians of per-round ratios; ceiling = bare Bun.serve + fetch proxy in front of the same upstream)\n${throughput}\n\nlatency of 2xx answers (exact, ms; c=1 by the sequential client, c>1 from autocannon's per-response times; added = target − direct per round, median)\n${latency}${cpuBlock}`
}

/** One verdict: met when `value` is on the right side of `limit`. */
function verdictOf(value: number | undefined, limit: number, direction: 'at-least' | 'at-most'): TargetLine['verdict'] {
  if (value === undefined) return 'not measured'
  return (direction === 'at-least' ? value >= limit : value <= limit) ? 'met' : 'NOT met'
}

/** A gateway that failed calls in a cell meets none of that cell's targets: its figures would describe error answers (fast, and cheap). */
function unlessGatewayFailed(summary: CellSummary, line: TargetLine): TargetLine {
  const failures = summary.failures.gateway
  if (!failures || describeFailures(failures) === '0') return line
  return { ...line, figure: `${line.figure} (gateway failures: ${describeFailures(failures)})`, verdict: 'NOT met' }
}

/** What a bare forwarding proxy reaches in a cell, next to the gateway: the issue's ceiling for any Bun gateway on this machine. */
function ceilingContext(summary: CellSummary): TargetLine {
  const target = `context, ${cellName(summary.cell)}`
  if (summary.ceilingPercentOfDirect === undefined) return { target, figure: 'ceiling not measured (--no-ceiling, or it gave no answer)', verdict: 'context' }
  const gateway = `gateway ${number(summary.gatewayPercentOfDirect, 1)}% of direct = ${number(summary.gatewayPercentOfCeiling)}% of the ceiling`
  return { target, figure: `ceiling (bare Bun.serve + fetch proxy) ${summary.ceilingPercentOfDirect.toFixed(1)}% of direct; ${gateway}`, verdict: 'context' }
}

/** The targets block: one line per target (per cell where the target is per cell), never hiding a miss. */
export function targetLines(summaries: CellSummary[], finalRssBytes: number | undefined, soak: SoakSummary | undefined): TargetLine[] {
  const lines: TargetLine[] = []
  const at50 = summaries.filter((summary) => summary.cell.concurrency === 50)
  const at1 = summaries.filter((summary) => summary.cell.concurrency === 1)
  if (at50.length === 0)
    lines.push({ target: 'c=50 targets (throughput, peer ratio, event-loop lag)', figure: 'c=50 not in the matrix', verdict: 'not measured' })
  for (const summary of at50) {
    const name = cellName(summary.cell)
    const push = (line: TargetLine) => lines.push(unlessGatewayFailed(summary, line))
    push({
      target: `gateway ≥ 35% of direct, ${name}`,
      figure: `${number(summary.gatewayPercentOfDirect, 1)}%`,
      verdict: verdictOf(summary.gatewayPercentOfDirect, 35, 'at-least'),
    })
    push({
      target: `gateway ≥ 5× peer, ${name}`,
      figure: summary.gatewayTimesPeer === undefined ? 'n/a (no peer)' : `${summary.gatewayTimesPeer.toFixed(2)}×`,
      verdict: verdictOf(summary.gatewayTimesPeer, 5, 'at-least'),
    })
    push({
      target: `event-loop lag p99 ≤ 5 ms, ${name}`,
      figure: summary.eventLoopLagMs ? `${summary.eventLoopLagMs.p99} ms (max ${summary.eventLoopLagMs.max} ms)` : 'n/a',
      verdict: verdictOf(summary.eventLoopLagMs?.p99, 5, 'at-most'),
    })
    lines.push(ceilingContext(summary))
  }
  if (at1.length === 0) lines.push({ target: 'added latency at c=1', figure: 'c=1 not in the matrix', verdict: 'not measured' })
  for (const summary of at1) {
    const name = cellName(summary.cell)
    const push = (line: TargetLine) => lines.push(unlessGatewayFailed(summary, line))
    push({
      target: `added p50 ≤ 0.3 ms, ${name}`,
      figure: `${number(summary.addedLatencyMs?.p50, 3)} ms`,
      verdict: verdictOf(summary.addedLatencyMs?.p50, 0.3, 'at-most'),
    })
    push({
      target: `added p99 ≤ 2 ms, ${name}`,
      figure: `${number(summary.addedLatencyMs?.p99, 3)} ms`,
      verdict: verdictOf(summary.addedLatencyMs?.p99, 2, 'at-most'),
    })
  }
  const finalMegabytes = finalRssBytes === undefined ? undefined : finalRssBytes / 1_048_576
  lines.push({ target: 'gateway RSS ≤ 200 MB after the run', figure: `${number(finalMegabytes)} MB`, verdict: verdictOf(finalMegabytes, 200, 'at-most') })
  if (!soak || soak.seconds < 300) {
    lines.push({
      target: 'gateway RSS flat over 5 minutes (growth ≤ 10% after the first minute)',
      figure: soak ? `only ${soak.seconds} s soaked` : 'no soak (add --soak 300)',
      verdict: 'not measured',
    })
  } else {
    lines.push({
      target: 'gateway RSS flat over 5 minutes (growth ≤ 10% after the first minute)',
      figure: `${soak.growthBytes >= 0 ? '+' : ''}${(soak.growthBytes / 1_048_576).toFixed(1)} MB (${soak.growthPercent.toFixed(1)}%) over ${soak.seconds - 60} s`,
      verdict: verdictOf(soak.growthPercent, 10, 'at-most'),
    })
  }
  return lines
}

/** The targets block as text; a context line is written out plainly, without a verdict, and does not widen the figure column. */
export function formatTargets(lines: TargetLine[]): string {
  const width = Math.max(...lines.map((line) => line.target.length))
  const figureWidth = Math.max(0, ...lines.filter((line) => line.verdict !== 'context').map((line) => line.figure.length))
  const text = (line: TargetLine) =>
    line.verdict === 'context'
      ? `  ${line.target.padEnd(width)}  ${line.figure}`
      : `  ${line.target.padEnd(width)}  ${line.figure.padStart(figureWidth)}  ${line.verdict}`
  return ['targets', ...lines.map(text)].join('\n')
}
