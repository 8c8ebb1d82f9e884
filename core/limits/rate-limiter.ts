/** Outcome of one attempt to take a slot. */
export interface RateDecision {
  allowed: boolean
  limit: number
  /** Slots still free in the window after this decision. */
  remaining: number
  /** ms until a slot frees up (0 when allowed) */
  retryAfterMs: number
}

/**
 * A sliding-window-log limiter: at most `limit` counted events in ANY `windowMs` interval (an event at
 * time t counts while now − t < windowMs), so no burst of 2×limit at a window boundary. In memory for
 * one process, in Redis when replicas share the counts.
 */
export interface RateLimiter {
  /** Counts one event for `key` against `limit` per `windowMs` and says whether it is allowed (a refused attempt is NOT counted). */
  take(key: string, limit: number, windowMs: number): Promise<RateDecision>
  /** Counts one event without checking (e.g. a success recorded after the fact). */
  record(key: string, windowMs: number): Promise<void>
  /** Current count in the window, without counting: `allowed` says whether a `take` would pass now. */
  peek(key: string, limit: number, windowMs: number): Promise<RateDecision>
  /** Stops timers and releases connections the limiter owns. */
  close(): Promise<void>
}

/** Rejects arguments no limiter can honour; clamping them silently would hide a misconfiguration. */
export function assertRateArguments(limit: number, windowMs: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`rate limit must be a whole number ≥ 0, got ${limit}`)
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) throw new RangeError(`rate limit window must be a whole number of ms ≥ 1, got ${windowMs}`)
}
