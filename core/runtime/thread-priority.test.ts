import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { openDatabase } from '../db/client.ts'
import { PGLITE_THREAD_NAME } from '../db/pglite-worker-channel.ts'
import { BACKGROUND_THREAD_NICENESS, lowerThreadPriority } from './thread-priority.ts'

// What an operator sees with `ps -L -o tid,ni,comm`: the event loop at the process's nice value, the
// embedded database's thread below it. Linux only (/proc/self/task).

/** Nice value of one thread of this process (field 19 of /proc/<tid>/stat, after the parenthesised name). */
function taskNiceness(task: string | number): number {
  const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

/** Nice value of each thread named `name`. */
function nicenessOf(name: string): number[] {
  const tasks = new Bun.Glob('*').scanSync({ cwd: '/proc/self/task', onlyFiles: false })
  const values: number[] = []
  for (const task of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() !== name) continue
      values.push(taskNiceness(task))
    } catch {
      // The thread ended meanwhile.
    }
  }
  return values
}

const mainNiceness = () => taskNiceness(process.pid)

describe.if(existsSync('/proc/self/task'))('background thread priority', () => {
  const workers: Worker[] = []
  afterAll(() => {
    for (const worker of workers) worker.terminate()
  })

  test('lowers only the named thread, once', async () => {
    const before = mainNiceness()
    const worker = new Worker(URL.createObjectURL(new Blob(['setInterval(() => {}, 1000)'])), { name: 'prio-probe' })
    workers.push(worker)
    for (let tries = 0; nicenessOf('prio-probe').length === 0 && tries < 100; tries++) await Bun.sleep(10)
    expect(nicenessOf('prio-probe')).toEqual([before])
    expect(lowerThreadPriority('prio-probe', 10)).toBe(1)
    expect(nicenessOf('prio-probe')).toEqual([Math.max(before, 10)])
    expect(mainNiceness()).toBe(before)
    expect(lowerThreadPriority('prio-probe', 10)).toBe(0)
  })

  test('the embedded database thread runs below the event loop once open', async () => {
    const database = await openDatabase({ dataDir: 'memory://' })
    try {
      const values = nicenessOf(PGLITE_THREAD_NAME)
      expect(values.length).toBeGreaterThan(0)
      for (const value of values) expect(value).toBeGreaterThanOrEqual(BACKGROUND_THREAD_NICENESS)
      expect(mainNiceness()).toBeLessThan(BACKGROUND_THREAD_NICENESS)
    } finally {
      await database.close()
    }
  })

  test('a missing /proc lowers nothing', () => {
    expect(lowerThreadPriority('pglite', 10, '/nonexistent/task')).toBe(0)
  })
})
