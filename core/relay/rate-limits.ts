import type { RateLimiter } from '../limits/rate-limiter.ts'
import { rateLimited } from '../limits/limit-checks.ts'
import type { SystemOptionValues } from '../options.ts'

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
