import type { RateDecision } from './rate-limiter.ts'

/** Drops the timestamps (ascending) that left the window ending at `now`; an event counts while now − t < windowMs. */
export function pruneExpired(stamps: number[], windowMs: number, now: number): void {
  const cutoff = now - windowMs
  let expired = 0
  while (expired < stamps.length && (stamps[expired] ?? Infinity) <= cutoff) expired++
  if (expired > 0) stamps.splice(0, expired)
}

/** Inserts `time` keeping the timestamps ascending (a clock that stepped back still lands in order). */
export function insertStamp(stamps: number[], time: number): void {
  let index = stamps.length
  while (index > 0 && (stamps[index - 1] ?? -Infinity) > time) index--
  stamps.splice(index, 0, time)
}

/**
 * The decision for a window holding `stamps` (ascending, already pruned). When refused, a slot frees once
 * `count − limit + 1` events have left, i.e. when the event at index `count − limit` leaves — the oldest
 * one unless `record` pushed the count past the limit.
 */
export function decideFromLog(stamps: readonly number[], limit: number, windowMs: number, now: number): RateDecision {
  const count = stamps.length
  if (count < limit) return { allowed: true, limit, remaining: limit - count, retryAfterMs: 0 }
  const freesAt = stamps[count - limit]
  const retryAfterMs = freesAt === undefined ? windowMs : Math.max(1, freesAt + windowMs - now)
  return { allowed: false, limit, remaining: 0, retryAfterMs }
}
