import type { LeaseManager } from './lease.ts'

/** Settings for a background job that at most one replica runs at a time. */
export interface LeasedJobOptions {
  /** Memory leases in embedded mode, Redis leases when replicas share REDIS_URL. */
  leases: LeaseManager
  /** Lease name, the same on every replica (`channel-retests`, `task-polling`, …). */
  name: string
  /** How often to take or renew the lease and, when held and idle, start the job. */
  intervalMs: number
  /** Lease lifetime; must exceed intervalMs so the holder renews before it lapses. Default 3 × intervalMs. */
  ttlMs?: number
  /** One execution; `signal` aborts when the job is stopping or the lease was lost, so long jobs can wrap up early. */
  run: (signal: AbortSignal) => Promise<void>
  /** Receives failures of `run` and of the lease calls. */
  onError?: (error: unknown) => void
}

/** A started leased job. */
export interface LeasedJob {
  /** Stops scheduling, waits for a running execution, then releases the lease. */
  stop(): Promise<void>
}

/**
 * Every `intervalMs` (and once right away) takes or renews the lease and, if held and no execution is
 * running in this process, starts one. Ticks keep renewing while a long execution runs, so the lease
 * stays put; if a renewal fails the execution's signal aborts, since another replica may take over
 * after the ttl. A failed lease call counts as "not held": the job is skipped rather than risk a
 * double run. Timers are unref'd, so they never keep the process alive.
 */
export function runLeasedJob(options: LeasedJobOptions): LeasedJob {
  const ttlMs = options.ttlMs ?? options.intervalMs * 3
  if (!(ttlMs > options.intervalMs)) throw new RangeError(`lease ttl (${ttlMs} ms) must exceed the job interval (${options.intervalMs} ms)`)
  const onError = options.onError ?? (() => {})
  let stopped = false
  let stopping: Promise<void> | null = null
  let ticking: Promise<void> | null = null
  let execution: { done: Promise<void>; controller: AbortController } | null = null

  async function holdsLease(): Promise<boolean> {
    try {
      return await options.leases.acquire(options.name, ttlMs)
    } catch (error) {
      onError(error)
      return false
    }
  }

  function execute(): void {
    const controller = new AbortController()
    const done = Promise.resolve()
      .then(() => options.run(controller.signal))
      .catch(onError)
      .finally(() => {
        execution = null
      })
    execution = { done, controller }
  }

  async function tick(): Promise<void> {
    const held = await holdsLease()
    if (!held) execution?.controller.abort()
    else if (!execution && !stopped) execute()
  }

  function schedule(): void {
    if (stopped || ticking) return
    ticking = tick().finally(() => {
      ticking = null
    })
  }

  const timer = setInterval(schedule, options.intervalMs)
  timer.unref?.()
  schedule()

  async function shutDown(): Promise<void> {
    stopped = true
    clearInterval(timer)
    execution?.controller.abort()
    await ticking
    await execution?.done
    try {
      await options.leases.release(options.name)
    } catch (error) {
      onError(error)
    }
  }

  return {
    stop() {
      stopping ??= shutDown()
      return stopping
    },
  }
}
