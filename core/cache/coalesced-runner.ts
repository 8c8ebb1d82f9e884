/**
 * Runs `run(key)` on request, at most once at a time per key. A request made while a run is in
 * progress is served by one follow-up run that starts after it (that run may have read data older
 * than the request); further requests meanwhile share that follow-up. So a burst of N change
 * notices costs at most two reloads, and every caller's promise settles only after a run that began
 * after its request has finished. `run` should not reject; if it does, the rejection reaches the
 * callers that share that run.
 */
export function createCoalescedRunner<Key>(run: (key: Key) => Promise<void>): (key: Key) => Promise<void> {
  const running = new Map<Key, Promise<void>>()
  const queued = new Map<Key, Promise<void>>()

  function start(key: Key): Promise<void> {
    const execution: Promise<void> = run(key).finally(() => {
      if (running.get(key) === execution) running.delete(key)
    })
    running.set(key, execution)
    return execution
  }

  return function request(key: Key): Promise<void> {
    const waiting = queued.get(key)
    if (waiting) return waiting
    const current = running.get(key)
    if (!current) return start(key)
    const followUp = current
      .catch(() => {})
      .then(() => {
        queued.delete(key)
        return start(key)
      })
    queued.set(key, followUp)
    return followUp
  }
}
