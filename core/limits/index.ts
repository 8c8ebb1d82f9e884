/** Rate limiters: in memory for one process, in Redis when replicas share the counts. */
export type { RateDecision, RateLimiter } from './rate-limiter.ts'
export { assertRateArguments } from './rate-limiter.ts'
export { createMemoryRateLimiter, type MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.ts'
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.ts'
export { createRateLimiter, type CreateRateLimiterOptions } from './create-rate-limiter.ts'
export { retryAfterSeconds } from './retry-after-seconds.ts'
