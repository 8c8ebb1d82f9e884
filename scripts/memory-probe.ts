// A preload that records where a gateway process's memory is, for finding what holds its RSS:
//   MEMORY_PROBE_FILE=/tmp/probe.jsonl BUN_OPTIONS="--preload ./scripts/memory-probe.ts" bun core/main.ts
// Every MEMORY_PROBE_MS (5000 by default) it appends one JSON line: process.memoryUsage(), the main
// thread's JavaScriptCore heap (bun:jsc heapStats: size, capacity, extra memory and the most numerous
// object types), the resident memory of the process's mappings in four heaps (/proc/self/smaps: the
// executable's own pages, JIT code, other files, anonymous memory), the anonymous mappings over 8 MB
// one by one (a WebAssembly memory, a worker's heap or the allocator's arenas show up there), and the
// threads by name; SIGUSR2 takes a sample at once. It changes nothing in the gateway; the soak campaign and scripts/measure-memory.ts read it.

import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { heapStats } from 'bun:jsc'

/** One sample of the probe; sizes in bytes. */
export interface MemorySample {
  /** Milliseconds since the probe started. */
  atMs: number
  /** process.memoryUsage(). */
  usage: NodeJS.MemoryUsage
  /** The main thread's JavaScriptCore heap: live size, capacity, memory outside the heap it accounts for, objects. */
  jsc: { heapSize: number; heapCapacity: number; extraMemorySize: number; objectCount: number; topTypes: Array<[string, number]> }
  /** Resident bytes by kind of mapping. */
  smaps: { executable: number; jit: number; files: number; anonymous: number }
  /** Anonymous mappings holding over 8 MB resident: [resident, virtual] bytes each, largest first. */
  bigAnonymous: Array<[number, number]>
  /** Threads by name (/proc/self/task/<id>/comm), e.g. { pglite: 1, 'Bun Pool 0': 1 }. */
  threads: Record<string, number>
}

/** Sums /proc/self/smaps by kind of mapping. */
export function readSmaps(text: string): Pick<MemorySample, 'smaps' | 'bigAnonymous'> {
  const smaps = { executable: 0, jit: 0, files: 0, anonymous: 0 }
  const bigAnonymous: Array<[number, number]> = []
  let kind: keyof typeof smaps = 'anonymous'
  let virtual = 0
  for (const line of text.split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (mapping) {
      virtual = parseInt(mapping[2]!, 16) - parseInt(mapping[1]!, 16)
      const [permissions, path] = [mapping[3]!, mapping[4]!]
      kind = path.includes('/bun') ? 'executable' : path.startsWith('/') ? 'files' : permissions.includes('x') ? 'jit' : 'anonymous'
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (!rss) continue
    const bytes = Number(rss[1]) * 1024
    smaps[kind] += bytes
    if (kind === 'anonymous' && bytes > 8 * 1_048_576) bigAnonymous.push([bytes, virtual])
  }
  bigAnonymous.sort((a, b) => b[0] - a[0])
  return { smaps, bigAnonymous }
}

/** Threads of this process by name. */
function threadNames(): Record<string, number> {
  const names: Record<string, number> = {}
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const name = readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim()
      names[name] = (names[name] ?? 0) + 1
    } catch {
      // the thread ended while we looked
    }
  }
  return names
}

/** Takes one sample. */
export function sampleMemory(startedAt: number): MemorySample {
  const stats = heapStats()
  const topTypes = Object.entries(stats.objectTypeCounts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
  return {
    atMs: Math.round(performance.now() - startedAt),
    usage: process.memoryUsage(),
    jsc: { heapSize: stats.heapSize, heapCapacity: stats.heapCapacity, extraMemorySize: stats.extraMemorySize, objectCount: stats.objectCount, topTypes },
    ...readSmaps(readFileSync('/proc/self/smaps', 'utf8')),
    threads: threadNames(),
  }
}

const file = process.env.MEMORY_PROBE_FILE
if (file) {
  const startedAt = performance.now()
  const every = Number(process.env.MEMORY_PROBE_MS ?? '5000')
  const write = () => appendFileSync(file, `${JSON.stringify(sampleMemory(startedAt))}\n`)
  write()
  // Unreferenced: the probe never keeps a gateway alive that is shutting down.
  setInterval(write, every).unref()
  // SIGUSR2 takes a sample at once, for a measuring script's before and after.
  process.on('SIGUSR2', write)
}
