// Runs one load measurement in a Node child (scripts/bench/load.mjs) and reads back its result.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startService } from './child-processes.ts'

/** What one load run measured (latencies of 2xx answers, fractional ms). */
export interface LoadResult {
  tool: 'autocannon' | 'sequential'
  connections: number
  durationSeconds: number
  /** 2xx answers. */
  requests: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  requestsPerSecond: number
  latencyMs: { p50: number; p99: number; max: number; mean: number }
  /** autocannon's own histogram figures, whole milliseconds (kept to show why they are not used). */
  autocannonLatencyMs?: { p50: number; p99: number; max: number }
}

/** Where a load run sends its requests. */
export interface LoadTarget {
  url: string
  headers: Record<string, string>
}

/** One load run: the body is a file so that 100 KB bodies do not travel on a command line. */
export interface LoadJob {
  target: LoadTarget
  bodyFile: string
  connections: number
  durationSeconds: number
}

const workDirectory = mkdtempSync(join(tmpdir(), 'hanggent-bench-load-'))
process.on('exit', () => rmSync(workDirectory, { recursive: true, force: true }))
let jobCount = 0

/** Writes a request body once and returns its file. */
export function bodyFile(name: string, body: string): string {
  const file = join(workDirectory, `${name}.json`)
  writeFileSync(file, body)
  return file
}

/**
 * Runs `load.mjs` with Node: autocannon for more than one connection, the precise sequential client
 * for exactly one. Throws with the child's output when it fails or overruns its time.
 */
export async function runLoad(root: string, job: LoadJob): Promise<LoadResult> {
  const jobFile = join(workDirectory, `job-${++jobCount}.json`)
  const timeoutSeconds = 30
  writeFileSync(
    jobFile,
    JSON.stringify({
      tool: job.connections === 1 ? 'sequential' : 'autocannon',
      url: job.target.url,
      headers: job.target.headers,
      bodyFile: job.bodyFile,
      connections: job.connections,
      durationSeconds: job.durationSeconds,
      timeoutSeconds,
    }),
  )
  const service = await startService('load', ['node', 'scripts/bench/load.mjs', jobFile], { cwd: root })
  const bound = (job.durationSeconds + timeoutSeconds + 30) * 1000
  const exited = await Promise.race([service.child.exited, Bun.sleep(bound).then(() => undefined)])
  if (exited === undefined) {
    service.child.kill('SIGKILL')
    throw new Error(`load generator overran ${bound / 1000} s: ${service.tail()}`)
  }
  await service.drained
  const line = service
    .tail()
    .trim()
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('{"tool"'))
  if (exited !== 0 || !line) throw new Error(`load generator exited with ${exited}: ${service.tail()}`)
  return JSON.parse(line) as LoadResult
}
