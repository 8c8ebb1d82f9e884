// What tracing costs in CPU per request, thread by thread, without the rest of the gateway in the way:
// drives the tracing observer (core/observe/tracing.ts) through the probe calls of a plain non-stream
// relay call (auth, admission, one upstream attempt, settlement, answer) at a steady rate, exports to
// the OTLP sink (scripts/bench/otlp-sink.ts, its own process), and reads each thread's CPU time from
// /proc before and after: the relay thread (this process's main thread), the export worker, the
// runtime's helper threads (GC, JIT) and the sink. A run with a probe that does nothing is subtracted,
// so the figures are the tracing's alone. CPU time is far steadier than req/s on a shared machine.
//
//   bun scripts/bench/trace-cost.ts [--rate 6000] [--seconds 8] [--protocol http/protobuf|http/json]
import { readdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { RelayObserver, RelayProbe } from '../../core/observe/relay-observer.ts'
import type { OtlpProtocol } from '../../core/observe/trace-export-worker.ts'
import { createGatewayTracing } from '../../core/observe/tracing.ts'
import { freePort, startService, stopService } from './child-processes.ts'

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '6000' }, seconds: { type: 'string', default: '8' }, protocol: { type: 'string', default: 'http/protobuf' } },
})
if (values.protocol !== 'http/protobuf' && values.protocol !== 'http/json') throw new Error('--protocol is http/protobuf or http/json')
const protocol: OtlpProtocol = values.protocol
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const TICK_MS = 10
const CLOCK_TICK_US = 10_000 // /proc times are in USER_HZ (100 per second on Linux)

/** CPU time (user + system, µs) of one /proc stat line. */
function cpuOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US
}

/** CPU µs per thread group of this process: the main (relay) thread, the export worker (named 'trace-export'), the rest. */
function threadCpu(): { relay: number; worker: number; runtime: number } {
  const totals = { relay: 0, worker: 0, runtime: 0 }
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string
    let name: string
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()
    } catch {
      continue
    }
    const group = Number(tid) === process.pid ? 'relay' : name === 'trace-export' ? 'worker' : 'runtime'
    totals[group] += cpuOfStat(stat)
  }
  return totals
}

/** CPU µs of another process (all its threads). */
function processCpu(pid: number): number {
  return cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

const nothing = () => {}
const idleProbe: RelayProbe = {
  authenticated: nothing,
  admitted: nothing,
  attempt: () => ({ headers: undefined, end: nothing }),
  firstToken: nothing,
  settling: () => nothing,
  responded: nothing,
  closed: nothing,
}
const usage = { inputTokens: 12, outputTokens: 34, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }
const headers = new Headers()

/** The probe calls of one non-stream call answered by its first channel. */
function relayOnce(observer: RelayObserver): void {
  const probe = observer.begin({ route: '/v1/chat/completions', dialect: 'openai.chat', headers })
  probe.authenticated()
  probe.admitted('gpt-4o-mini', false)
  const attempt = probe.attempt({ id: 1, type: 'openai', upstreamModel: 'gpt-4o-mini' })
  attempt.end({ status: 200, ok: true })
  probe.settling()({ usage, quota: 75, outcome: 'completed' })
  probe.responded(200)
  probe.closed()
}

/** Runs `rate` calls a second for `seconds`, in 10 ms ticks so the observer's timers and messages run between them. */
async function drive(observer: RelayObserver): Promise<number> {
  const perTick = Math.round((rate * TICK_MS) / 1000)
  const ticks = Math.round((seconds * 1000) / TICK_MS)
  const started = performance.now()
  for (let tick = 0; tick < ticks; tick++) {
    for (let call = 0; call < perTick; call++) relayOnce(observer)
    const due = started + (tick + 1) * TICK_MS
    await Bun.sleep(Math.max(0, due - performance.now()))
  }
  return perTick * ticks
}

/** CPU µs per call of each part over one drive. */
async function measure(observer: RelayObserver, settle: () => Promise<void>, sinkPid: number) {
  const before = threadCpu()
  const sinkBefore = processCpu(sinkPid)
  const calls = await drive(observer)
  await settle()
  await Bun.sleep(200) // the sink finishes reading the last export
  const after = threadCpu()
  const perCall = (micros: number) => micros / calls
  return {
    calls,
    relay: perCall(after.relay - before.relay),
    worker: perCall(after.worker - before.worker),
    runtime: perCall(after.runtime - before.runtime),
    sink: perCall(processCpu(sinkPid) - sinkBefore),
  }
}

const port = freePort()
const sink = await startService('otlp sink', [process.execPath, 'scripts/bench/otlp-sink.ts', String(port)], {
  cwd: new URL('../..', import.meta.url).pathname,
  ready: /listening/,
})
try {
  const tracing = createGatewayTracing({ endpoint: `http://127.0.0.1:${port}`, serviceName: 'trace-cost', version: '0', protocol })
  // Warm both paths (JIT, worker start, first connection) before measuring.
  await drive({ begin: () => idleProbe })
  await drive(tracing.observer)
  await tracing.flush()
  const baseline = await measure({ begin: () => idleProbe }, async () => {}, sink.child.pid)
  const traced = await measure(tracing.observer, () => tracing.flush(), sink.child.pid)
  await tracing.close()
  const row = (name: string, key: 'relay' | 'worker' | 'runtime' | 'sink') => `${name.padEnd(26)} ${(traced[key] - baseline[key]).toFixed(2).padStart(8)} µs`
  const gateway = (['relay', 'worker', 'runtime'] as const).reduce((sum, key) => sum + traced[key] - baseline[key], 0)
  console.log(`${traced.calls} traced calls at ${rate}/s for ${seconds} s over ${protocol}; CPU per call, less a run with an idle probe:`)
  console.log(row('relay thread', 'relay'))
  console.log(row('export worker', 'worker'))
  console.log(row('runtime threads (GC, JIT)', 'runtime'))
  console.log(`${'gateway process total'.padEnd(26)} ${gateway.toFixed(2).padStart(8)} µs`)
  console.log(row('otlp sink (own process)', 'sink'))
} finally {
  await stopService(sink, 2000)
}
