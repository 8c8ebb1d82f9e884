// CPU time a process spent, by thread, from /proc (Linux). On a machine where the load generator, the
// upstream and the gateway share two cores, throughput moves with whatever else runs; the CPU a target
// spends per answer hardly does, so the bench prints it beside req/s to show where a gateway's time goes.
import { readdirSync, readFileSync } from 'node:fs'

/** Thread groups the bench reports: Bun's main thread, the PGlite worker, Bun's HTTP client, collectors, JIT, the rest. */
export type ThreadGroup = 'main' | 'pglite' | 'http' | 'gc' | 'jit' | 'other'

/** Every group, in the order tables print them. */
export const THREAD_GROUPS: ThreadGroup[] = ['main', 'pglite', 'http', 'gc', 'jit', 'other']

/** CPU milliseconds (user + system) by thread id, with each thread's name. */
export type CpuSnapshot = Map<string, { group: ThreadGroup; ms: number }>

const TICKS_PER_SECOND = 100

/** The group of a thread, by its kernel name (Bun and JavaScriptCore name their threads). */
export function groupOf(threadId: string, processId: number, name: string): ThreadGroup {
  if (threadId === String(processId)) return 'main'
  if (name === 'pglite') return 'pglite'
  if (name === 'HTTP Client') return 'http'
  if (/Helper Thread|HeapHelper|mi-scavenger|GC/i.test(name)) return 'gc'
  if (/JIT|WarmUp/i.test(name)) return 'jit'
  return 'other'
}

/** CPU spent so far by each live thread of `pid`; empty when /proc cannot be read (not Linux, process gone). */
export function cpuSnapshot(pid: number): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map()
  let threads: string[]
  try {
    threads = readdirSync(`/proc/${pid}/task`)
  } catch {
    return snapshot
  }
  for (const thread of threads) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8')
      // The name is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ticks = Number(fields[11]) + Number(fields[12])
      snapshot.set(thread, { group: groupOf(thread, pid, name), ms: (ticks * 1000) / TICKS_PER_SECOND })
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return snapshot
}

/** Microseconds of CPU per answer between two snapshots, by group and in total; undefined without answers or data. */
export function cpuPerAnswer(before: CpuSnapshot, after: CpuSnapshot, answers: number): (Record<ThreadGroup, number> & { total: number }) | undefined {
  if (answers <= 0 || after.size === 0) return undefined
  const perGroup = { main: 0, pglite: 0, http: 0, gc: 0, jit: 0, other: 0, total: 0 }
  for (const [thread, { group, ms }] of after) {
    const spent = ms - (before.get(thread)?.ms ?? 0)
    perGroup[group] += spent
    perGroup.total += spent
  }
  for (const key of Object.keys(perGroup) as Array<keyof typeof perGroup>) perGroup[key] = Math.round((perGroup[key] * 10_000) / answers) / 10
  return perGroup
}
