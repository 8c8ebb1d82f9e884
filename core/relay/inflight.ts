/** Counts requests still running (streams included, until they settle) so shutdown can wait for them. */
export interface InflightTracker {
  /** Marks one request started; call the returned function exactly once when it is fully done. */
  begin(): () => void
  /** Requests still running. */
  count(): number
  /** Resolves when nothing is running or the deadline passes; returns how many were still running. */
  drain(timeoutMs: number): Promise<number>
}

/** Builds a tracker. */
export function createInflightTracker(): InflightTracker {
  let running = 0
  let waiters: Array<() => void> = []
  return {
    begin() {
      running += 1
      let done = false
      return () => {
        if (done) return
        done = true
        running -= 1
        if (running === 0) {
          for (const wake of waiters) wake()
          waiters = []
        }
      }
    },
    count: () => running,
    async drain(timeoutMs) {
      if (running === 0) return 0
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
      return running
    },
  }
}
