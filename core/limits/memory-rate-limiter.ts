import { assertRateArguments, type RateDecision, type RateLimiter } from './rate-limiter.ts'
import { decideFromLog, insertStamp, pruneExpired } from './sliding-window-log.ts'

/** Settings for the single-process limiter. */
export interface MemoryRateLimiterOptions {
  /** The clock in ms; tests inject one they can move. Default `Date.now`. */
  now?: () => number
  /** Most keys kept; beyond it the least recently used key is forgotten (its events stop counting). Default 100,000. */
  maxKeys?: number
  /** How often keys whose events have all expired are dropped. Default 60 s. */
  sweepIntervalMs?: number
}

/** The in-memory limiter, with the introspection tests and diagnostics need. */
export interface MemoryRateLimiter extends RateLimiter {
  /** Keys currently held. */
  size(): number
  /** Drops keys whose events have all left their window; returns how many were dropped. */
  sweep(): number
}

/** One key's event log: ascending timestamps and the window they were last counted against. */
interface KeyLog {
  stamps: number[]
  windowMs: number
}

/** Forgets the least recently used keys (the front of the Map) until at most `keep` remain. */
function evictLeastRecent(logs: Map<string, KeyLog>, keep: number): void {
  for (const key of logs.keys()) {
    if (logs.size <= keep) return
    logs.delete(key)
  }
}

/** Drops keys whose newest event has left its window; returns how many. */
function dropIdle(logs: Map<string, KeyLog>, time: number): number {
  let dropped = 0
  for (const [key, log] of logs) {
    const newest = log.stamps[log.stamps.length - 1]
    if (newest === undefined || newest <= time - log.windowMs) {
      logs.delete(key)
      dropped++
    }
  }
  return dropped
}

/**
 * The limiter for embedded mode (one process): per key an ascending array of event times, pruned on
 * every access. Memory stays bounded: an unref'd timer sweeps idle keys, and `maxKeys` evicts the least
 * recently used key (Map order, refreshed on each access) when a new one arrives.
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  const now = options.now ?? Date.now
  const maxKeys = options.maxKeys ?? 100_000
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a whole number ≥ 1, got ${maxKeys}`)
  const logs = new Map<string, KeyLog>()

  /** The key's live log, moved to the most-recently-used end; undefined (and forgotten) when empty. */
  function liveLog(key: string, windowMs: number, time: number): KeyLog | undefined {
    const log = logs.get(key)
    if (!log) return undefined
    logs.delete(key)
    log.windowMs = windowMs
    pruneExpired(log.stamps, windowMs, time)
    if (log.stamps.length === 0) return undefined
    logs.set(key, log)
    return log
  }

  /** Counts one event at `time`, creating the key (and evicting the least recently used ones) if needed. */
  function count(key: string, log: KeyLog | undefined, windowMs: number, time: number): void {
    if (log) return insertStamp(log.stamps, time)
    evictLeastRecent(logs, maxKeys - 1)
    logs.set(key, { stamps: [time], windowMs })
  }

  const sweep = () => dropIdle(logs, now())
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000)
  timer.unref() // a limiter alone must never keep the process running

  return {
    async take(key, limit, windowMs): Promise<RateDecision> {
      assertRateArguments(limit, windowMs)
      const time = now()
      const log = liveLog(key, windowMs, time)
      const decision = decideFromLog(log?.stamps ?? [], limit, windowMs, time)
      if (!decision.allowed) return decision
      count(key, log, windowMs, time)
      return { ...decision, remaining: decision.remaining - 1 }
    },
    async record(key, windowMs) {
      assertRateArguments(0, windowMs)
      const time = now()
      count(key, liveLog(key, windowMs, time), windowMs, time)
    },
    async peek(key, limit, windowMs) {
      assertRateArguments(limit, windowMs)
      const time = now()
      return decideFromLog(liveLog(key, windowMs, time)?.stamps ?? [], limit, windowMs, time)
    },
    async close() {
      clearInterval(timer)
      logs.clear()
    },
    size: () => logs.size,
    sweep,
  }
}
