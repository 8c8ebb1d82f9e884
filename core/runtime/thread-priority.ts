import { readdirSync, readFileSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

// Background threads of this process yield the CPU to the event loop. On Linux a thread is a task of
// its own: setpriority(2) on its id (what node:os setPriority calls) changes that thread's nice value
// only, and raising one's own nice value needs no privilege. The embedded database's thread runs the
// log writer's group commits, which no answer waits for (charges are durable in the file journal
// first); at equal priority it took as much CPU as the event loop under load, and the event loop's
// timers waited behind it. Elsewhere (no /proc/self/task) this does nothing.

/** Nice value for the embedded database's thread: its group commits wait, the event loop does not. */
export const BACKGROUND_THREAD_NICENESS = 10

/**
 * Lowers the scheduling priority of this process's threads named `name` (as /proc shows it, e.g. a
 * Worker's `name`) to `niceness`, leaving any already at or below it; answers how many it lowered.
 * Best effort: a platform or sandbox that refuses it leaves the threads as they were.
 */
export function lowerThreadPriority(name: string, niceness: number, tasksDir = '/proc/self/task'): number {
  let lowered = 0
  let tasks: string[]
  try {
    tasks = readdirSync(tasksDir)
  } catch {
    return 0
  }
  for (const task of tasks) {
    const id = Number(task)
    try {
      if (readFileSync(`${tasksDir}/${task}/comm`, 'utf8').trim() !== name) continue
      if (getPriority(id) >= niceness) continue
      setPriority(id, niceness)
      lowered += 1
    } catch {
      // The thread ended meanwhile, or the system refused: it keeps its priority.
    }
  }
  return lowered
}
