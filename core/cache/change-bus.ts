/** What changed; subscribers reload the matching in-memory cache. */
export type ChangeTopic = 'channels' | 'tokens' | 'users' | 'options' | 'access-tokens'

/**
 * Tells every part of the process (and, with Redis, every replica) that cached data is stale.
 * In-process here; a Redis pub/sub implementation has the same shape.
 */
export interface ChangeBus {
  /** Announces a change; subscribers run on the next tick, never inside the caller's transaction. */
  publish(topic: ChangeTopic): void
  /** Registers a listener; returns the function that removes it. */
  subscribe(topic: ChangeTopic, listener: () => void): () => void
  /** Stops delivery (shutdown). */
  close(): Promise<void>
}

/** The single-process bus used in embedded mode and tests. */
export function createMemoryChangeBus(): ChangeBus {
  const listeners = new Map<ChangeTopic, Set<() => void>>()
  let closed = false
  return {
    publish(topic) {
      if (closed) return
      for (const listener of listeners.get(topic) ?? []) queueMicrotask(listener)
    },
    subscribe(topic, listener) {
      const set = listeners.get(topic) ?? new Set()
      set.add(listener)
      listeners.set(topic, set)
      return () => set.delete(listener)
    },
    async close() {
      closed = true
      listeners.clear()
    },
  }
}
