import { randomUUID } from 'node:crypto'
import type { LeaseManager } from './lease.ts'

/** Who holds each lease and until when (epoch ms); share one between managers to model several holders in one process. */
export type MemoryLeaseStore = Map<string, { holderId: string; expiresAt: number }>

/** Settings for the in-process lease manager. */
export interface MemoryLeaseManagerOptions {
  /** Lease table; default a private one, in which this manager is the only possible holder (so it always gets the lease). */
  store?: MemoryLeaseStore
  /** This manager's identity in the store; default a random UUID. */
  holderId?: string
  /** Clock in epoch ms (tests); default Date.now. */
  now?: () => number
}

/** Creates an empty lease table for createMemoryLeaseManager. */
export function createMemoryLeaseStore(): MemoryLeaseStore {
  return new Map()
}

/**
 * Leases for embedded mode, where only one process runs: with its own store the manager is the sole
 * holder and every acquire succeeds. Given a shared store it follows the Redis rules (take when free
 * or expired, renew and release only your own), which lets tests run two "replicas" in one process.
 */
export function createMemoryLeaseManager(options: MemoryLeaseManagerOptions = {}): LeaseManager {
  const store = options.store ?? createMemoryLeaseStore()
  const holderId = options.holderId ?? randomUUID()
  const now = options.now ?? Date.now
  const held = new Set<string>()

  function release(name: string): void {
    held.delete(name)
    if (store.get(name)?.holderId === holderId) store.delete(name)
  }

  return {
    async acquire(name, ttlMs) {
      const lease = store.get(name)
      if (lease && lease.holderId !== holderId && lease.expiresAt > now()) {
        held.delete(name)
        return false
      }
      store.set(name, { holderId, expiresAt: now() + ttlMs })
      held.add(name)
      return true
    },
    async release(name) {
      release(name)
    },
    async close() {
      for (const name of [...held]) release(name)
    },
  }
}
