/** What changed; subscribers reload the matching in-memory cache. */
export type ChangeTopic = 'channels' | 'tokens' | 'users' | 'options' | 'access-tokens'

/** Reloads a cache; may be async. */
export type ChangeListener = () => void | Promise<void>

/**
 * Tells every part of the process (and, with Redis, every replica) that cached data is stale.
 * In-process here; a Redis pub/sub implementation has the same shape.
 */
export interface ChangeBus {
  /**
   * Announces a change. The promise settles once this process's listeners have finished, so an
   * admin write that awaits it is visible to the very next request (read-your-writes).
   */
  publish(topic: ChangeTopic): Promise<void>
  /** Registers a listener; returns the function that removes it. */
  subscribe(topic: ChangeTopic, listener: ChangeListener): () => void
  /** Stops delivery (shutdown). */
  close(): Promise<void>
}

/** Runs local listeners, never letting one failure stop the others or reach the publisher. */
export async function runListeners(listeners: Iterable<ChangeListener>, onError: (error: unknown) => void): Promise<void> {
  await Promise.all(
    [...listeners].map(async (listener) => {
      try {
        await listener()
      } catch (error) {
        onError(error)
      }
    }),
  )
}

/** Adds `listener` to `topic`'s set in a bus's listener map; returns the function that removes it. */
export function addListener<Topic extends string>(listeners: Map<Topic, Set<ChangeListener>>, topic: Topic, listener: ChangeListener): () => void {
  const set = listeners.get(topic) ?? new Set()
  set.add(listener)
  listeners.set(topic, set)
  return () => set.delete(listener)
}

/** The single-process bus used in embedded mode and tests. */
export function createMemoryChangeBus(onError: (error: unknown) => void = () => {}): ChangeBus {
  const listeners = new Map<ChangeTopic, Set<ChangeListener>>()
  let closed = false
  return {
    async publish(topic) {
      if (closed) return
      await runListeners(listeners.get(topic) ?? [], onError)
    },
    subscribe: (topic, listener) => addListener(listeners, topic, listener),
    async close() {
      closed = true
      listeners.clear()
    },
  }
}
