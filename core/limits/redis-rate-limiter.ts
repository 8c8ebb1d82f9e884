import { randomBytes } from 'node:crypto'
import type Redis from 'ioredis'
import { closeRedis } from '../cache/redis-connection.ts'
import { assertRateArguments, type RateDecision, type RateLimiter } from './rate-limiter.ts'
import { PEEK_SCRIPT, RECORD_SCRIPT, TAKE_SCRIPT } from './rate-limit-scripts.ts'

/** Settings for the limiter shared by replicas through Redis. */
export interface RedisRateLimiterOptions {
  /** Namespace of the sorted sets; a key `k` lives at `${prefix}k`. Default `hanggent:rate:`. */
  prefix?: string
  /** Quit the connection on `close()` (when the limiter opened it itself). Default false. */
  ownsConnection?: boolean
}

/** The scripts as ioredis commands (EVALSHA, falling back to EVAL when the server lost its script cache). */
interface RateLimitCommands {
  hanggentRateTake(key: string, windowMs: number, limit: number, member: string): Promise<unknown>
  hanggentRateRecord(key: string, windowMs: number, member: string): Promise<unknown>
  hanggentRatePeek(key: string, windowMs: number, limit: number): Promise<unknown>
}

/** Checks a script reply `{allowed, count, retryAfterMs}`. */
function parseReply(reply: unknown): [allowed: number, count: number, retryAfterMs: number] {
  if (Array.isArray(reply)) {
    const [allowed, count, retryAfterMs] = reply as unknown[]
    if (typeof allowed === 'number' && typeof count === 'number' && typeof retryAfterMs === 'number') return [allowed, count, retryAfterMs]
  }
  throw new Error(`unexpected rate limit script reply: ${JSON.stringify(reply)}`)
}

/** Turns a script reply into a decision for `limit`. */
function toDecision(reply: unknown, limit: number): RateDecision {
  const [allowed, count, retryAfterMs] = parseReply(reply)
  return { allowed: allowed === 1, limit, remaining: Math.max(0, limit - count), retryAfterMs }
}

/** Registers the scripts on the connection; defining them again (a second limiter) is harmless. */
function defineCommands(redis: Redis): Redis & RateLimitCommands {
  redis.defineCommand('hanggentRateTake', { numberOfKeys: 1, lua: TAKE_SCRIPT })
  redis.defineCommand('hanggentRateRecord', { numberOfKeys: 1, lua: RECORD_SCRIPT })
  redis.defineCommand('hanggentRatePeek', { numberOfKeys: 1, lua: PEEK_SCRIPT, readOnly: true })
  return redis as Redis & RateLimitCommands
}

/**
 * The limiter for scale-out: a sliding window log per key in a Redis sorted set, each operation one
 * atomic script timed by the Redis server (see rate-limit-scripts.ts). Event members are
 * `<server ms>:<limiter id>.<sequence>`, unique across limiters, so events in the same ms all count.
 * Sets expire one window after their newest event.
 */
export function createRedisRateLimiter(redis: Redis, options: RedisRateLimiterOptions = {}): RateLimiter {
  const prefix = options.prefix ?? 'hanggent:rate:'
  const commands = defineCommands(redis)
  const limiterId = randomBytes(6).toString('base64url')
  let sequence = 0
  const nextMember = () => `${limiterId}.${(sequence++).toString(36)}`

  return {
    async take(key, limit, windowMs) {
      assertRateArguments(limit, windowMs)
      return toDecision(await commands.hanggentRateTake(prefix + key, windowMs, limit, nextMember()), limit)
    },
    async record(key, windowMs) {
      assertRateArguments(0, windowMs)
      parseReply(await commands.hanggentRateRecord(prefix + key, windowMs, nextMember()))
    },
    async peek(key, limit, windowMs) {
      assertRateArguments(limit, windowMs)
      return toDecision(await commands.hanggentRatePeek(prefix + key, windowMs, limit), limit)
    },
    async close() {
      if (options.ownsConnection) await closeRedis(redis)
    },
  }
}
