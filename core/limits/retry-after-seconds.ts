import type { RateDecision } from './rate-limiter.ts'

/** The `Retry-After` header value for a decision: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(decision: RateDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000))
}
