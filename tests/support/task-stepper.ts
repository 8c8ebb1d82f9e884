// The lifecycle of a fake upstream's asynchronous tasks (Kling, Suno, OpenAI videos, Midjourney): a
// task answers its state as it is, then moves one step, so a client polling it sees every state once
// (unless the test turned that off and drives the task by hand); a finished task stays as it ended.
// Each fake says what one step does and when a task has ended; this keeps the rest in one place.

/** How a fake's tasks are stored and moved. */
export interface TaskLifecycle<T> {
  /** What the fake calls its tasks, for the error on an unknown id ("Kling task"). */
  name: string
  /** The fake's tasks by id. */
  tasks: Map<string, T>
  /** True once the task has ended (or may not move: a frozen task); a step then leaves it as it is. */
  ended(task: T): boolean
  /** Moves an unended task one step along its lifecycle. */
  step(task: T): void
  /** Whether each answered fetch moves the task a step (default true). */
  autoAdvance?: boolean
}

/** Moves a fake's tasks: by hand (`advance`, `finish`) or after each fetch that answered one (`fetched`). */
export interface TaskStepper<T> {
  /** Moves the task one step and returns it; throws for an id the fake never made. */
  advance(id: string): T
  /** Moves the task to its end and returns it. */
  finish(id: string): T
  /** Call when a fetch reads the task (before or after answering, as the upstream does): moves it a step when the fake advances on fetch. */
  fetched(id: string): void
}

/** One stepper over a fake's task map. */
export function taskStepper<T>(lifecycle: TaskLifecycle<T>): TaskStepper<T> {
  const autoAdvance = lifecycle.autoAdvance ?? true
  function advance(id: string): T {
    const task = lifecycle.tasks.get(id)
    if (task === undefined) throw new Error(`no ${lifecycle.name} ${id}`)
    if (!lifecycle.ended(task)) lifecycle.step(task)
    return task
  }
  return {
    advance,
    finish(id) {
      let task = advance(id)
      while (!lifecycle.ended(task)) task = advance(id)
      return task
    },
    fetched(id) {
      if (autoAdvance) advance(id)
    },
  }
}
