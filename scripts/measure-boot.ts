// Peak RSS and time to ready of the embedded gateway's start, first (empty data directory) and second (the
// same directory again):
//   bun scripts/measure-boot.ts [--runs 3] [--env NAME=value …]
// Each run starts `bun core/main.ts` on a fresh directory, waits for its "gateway listening" line, reads
// the process's peak RSS (VmHWM in /proc/<pid>/status: every thread, PGlite's workers included) and stops
// it; then starts it again on the same directory. Prints each run and the medians. Not a test: the figures
// depend on the machine.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatewayEnv, startGatewayProcess } from '../tests/support/gateway-process.ts'
import { flag, envFlags } from './script-flags.ts'

/** One start: milliseconds from spawn to listening, and the peak RSS in MB by then. */
interface BootFigures {
  readyMs: number
  peakMb: number
}

/** A process's peak resident set so far, in MB. */
function peakRssMb(pid: number): number {
  const kilobytes = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kilobytes) / 1024
}

/** Starts the gateway on `dataDir`, measures it once it listens, and stops it. */
async function boot(dataDir: string): Promise<BootFigures> {
  const started = performance.now()
  const gateway = await startGatewayProcess(gatewayEnv({ DATA_DIR: dataDir, ...envFlags() }), 120_000)
  const readyMs = performance.now() - started
  const peakMb = peakRssMb(gateway.process.pid)
  gateway.process.kill('SIGTERM')
  await gateway.process.exited
  return { readyMs, peakMb }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function show(label: string, figures: BootFigures): string {
  return `${label}: ready ${figures.readyMs.toFixed(0)} ms, peak RSS ${figures.peakMb.toFixed(0)} MB`
}

const runs = Number(flag('runs', '3'))
const first: BootFigures[] = []
const second: BootFigures[] = []
for (let run = 1; run <= runs; run += 1) {
  const dataDir = mkdtempSync(join(tmpdir(), 'measure-boot-'))
  try {
    first.push(await boot(dataDir))
    second.push(await boot(dataDir))
    console.log(`run ${run}: ${show('first start', first.at(-1)!)}; ${show('second start', second.at(-1)!)}`)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
const summary = (figures: BootFigures[]) => ({ readyMs: median(figures.map((f) => f.readyMs)), peakMb: median(figures.map((f) => f.peakMb)) })
console.log(`median of ${runs}: ${show('first start', summary(first))}; ${show('second start', summary(second))}`)
