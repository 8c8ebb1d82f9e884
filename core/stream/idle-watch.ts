/** Watches a stream for silence with one timer for its whole life, not one per event. */
export interface IdleWatch {
  /** Something arrived: the silence starts over. */
  touch(): void
  /** Stops watching. */
  stop(): void
}

/**
 * Calls `onIdle` once when `timeoutMs` pass without a `touch`. The timer is re-armed only when it
 * fires early (for the time still left), so a busy stream costs a clock read per event.
 */
export function watchIdle(timeoutMs: number, onIdle: () => void): IdleWatch {
  let last = performance.now()
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const check = () => {
    if (stopped) return
    const left = last + timeoutMs - performance.now()
    if (left > 0) {
      timer = setTimeout(check, left)
      return
    }
    stopped = true
    onIdle()
  }
  timer = setTimeout(check, timeoutMs)
  return {
    touch() {
      last = performance.now()
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
