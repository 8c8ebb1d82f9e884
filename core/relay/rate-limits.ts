import type { RateDecision, RateLimiter } from '../limits/rate-limiter.ts'
import { retryAfterSeconds } from '../limits/retry-after-seconds.ts'
import type { SystemOptionValues } from '../options.ts'
import { GatewayError } from '../errors.ts'
import type { Logger } from '../app-context.ts'

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

/**
 * Applies the per-user, per-model limits before a relay call: the total count is taken now, the
 * success count only checked. Returns the function that counts the call as a success afterwards.
 */
export async function checkUserModelLimits(
  limiter: RateLimiter,
  limits: SystemOptionValues['rateLimits'],
  call: { userId: number; group: string; model: string },
): Promise<() => Promise<void>> {
  const override = limits.groupOverrides[call.group]
  const total = override?.userModelTotal ?? limits.userModelTotal
  const success = override?.userModelSuccess ?? limits.userModelSuccess
  const windowMs = limits.windowSeconds * 1000
  const subject = `${call.userId}:${call.model}`
  if (success > 0) {
    const decision = await limiter.peek(`user-model:success:${subject}`, success, windowMs)
    if (!decision.allowed) throw rateLimited(decision, `${success} successful "${call.model}" requests per ${limits.windowSeconds} s`)
  }
  if (total > 0) {
    const decision = await limiter.take(`user-model:total:${subject}`, total, windowMs)
    if (!decision.allowed) throw rateLimited(decision, `${total} "${call.model}" requests per ${limits.windowSeconds} s`)
  }
  return async () => {
    if (success > 0) await limiter.record(`user-model:success:${subject}`, windowMs)
  }
}
