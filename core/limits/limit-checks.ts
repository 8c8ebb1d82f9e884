import type { RateDecision, RateLimiter } from './rate-limiter.ts'
import { retryAfterSeconds } from './retry-after-seconds.ts'
import { GatewayError } from '../errors.ts'
import type { Logger } from '../app-context.ts'

// The checks the relay, the sign-in routes and the admin API share (per-IP limits, the 429 they answer,
// failing open when the limit store is down), kept here so none of them imports another's room.

/** The 429 a refused request gets, in whatever dialect renders it, with `Retry-After`. */
export function rateLimited(decision: RateDecision, what: string): GatewayError {
  const seconds = retryAfterSeconds(decision)
  return new GatewayError(429, 'rate_limited', `Rate limit reached: ${what} (${decision.limit} allowed). Try again in ${seconds} s.`, {
    headers: { 'retry-after': String(seconds) },
  })
}

/** The `onError` of `failOpen` every caller wants: one warning line saying the limit store is down. */
export function warnLimitStoreDown(logger: Logger): (error: unknown) => void {
  return (error) => logger.log('warn', 'rate limit store unavailable', { error: String(error) })
}

/**
 * Runs a limit check; if the limiter itself fails (Redis unreachable) the request goes through and
 * the failure is logged — an outage of the limit store must not become an outage of the gateway.
 */
export async function failOpen<T>(check: () => Promise<T>, fallback: T, onError: (error: unknown) => void): Promise<T> {
  try {
    return await check()
  } catch (error) {
    if (error instanceof GatewayError) throw error
    onError(error)
    return fallback
  }
}

/** Counts one event against a per-IP limit per minute; throws 429 when it is used up (0 = off). */
export async function checkIpLimit(
  limiter: RateLimiter,
  scope: 'relay' | 'login' | 'admin' | 'redeem',
  ip: string | undefined,
  perMinute: number,
): Promise<void> {
  if (perMinute <= 0 || !ip) return
  const decision = await limiter.take(`ip:${scope}:${ip}`, perMinute, 60_000)
  if (!decision.allowed) throw rateLimited(decision, `${perMinute} ${scope} requests per minute from one address`)
}
