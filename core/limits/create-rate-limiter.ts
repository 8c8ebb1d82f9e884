import Redis from 'ioredis'
import { createMemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.ts'
import type { RateLimiter } from './rate-limiter.ts'
import { createRedisRateLimiter } from './redis-rate-limiter.ts'

/** How to build the process's limiter. */
export interface CreateRateLimiterOptions extends MemoryRateLimiterOptions {
  /** REDIS_URL: when set, counts live in Redis and are shared by every replica. */
  redisUrl?: string
  /** Namespace of the Redis keys. Default `hanggent:rate:`. */
  prefix?: string
  /**
   * Receives Redis connection errors (ioredis reconnects by itself). A command that cannot be served
   * still rejects, so callers see the failure either way.
   */
  onError?: (error: unknown) => void
}

/**
 * Redis-backed when a URL is given (its own connection, connecting at once; commands issued while it
 * (re)connects wait in the offline queue and give up after two retries), in memory otherwise.
 */
export function createRateLimiter(options: CreateRateLimiterOptions = {}): RateLimiter {
  if (!options.redisUrl) return createMemoryRateLimiter(options)
  const redis = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectionName: 'hanggent:rate-limiter' })
  redis.on('error', options.onError ?? (() => {}))
  return createRedisRateLimiter(redis, { prefix: options.prefix, ownsConnection: true })
}
