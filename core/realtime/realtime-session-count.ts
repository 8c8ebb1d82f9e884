import Redis from 'ioredis'

// How many realtime sessions each user holds open, for REALTIME_MAX_SESSIONS_PER_USER. In memory for one
// process; with Redis, one sorted set per user shared by every replica: a member per session whose score is
// the time (Redis's own clock) it lapses unless renewed. Each replica renews its sessions every
// RENEW_EVERY_MS, so the sessions of a replica that crashed drop out of the count SESSION_TTL_MS later.

/** How long a session counts without renewal (a crashed replica's sessions are freed after this). */
export const SESSION_TTL_MS = 30_000
const RENEW_EVERY_MS = 10_000

/** The per-user session count, local or shared. */
export interface SessionCount {
  /** Counts one more session of the user and resolves true, or false when `max` (> 0) are held already. */
  claim(userId: number, sessionId: string, max: number): Promise<boolean>
  /** Stops counting the session. */
  release(userId: number, sessionId: string): Promise<void>
  /** Stops the renewal timer and the connection it owns. */
  close(): Promise<void>
}

/** A count for this process only. */
export function createMemorySessionCount(): SessionCount {
  const perUser = new Map<number, Set<string>>()
  return {
    async claim(userId, sessionId, max) {
      const held = perUser.get(userId) ?? new Set<string>()
      if (max > 0 && held.size >= max) return false
      held.add(sessionId)
      perUser.set(userId, held)
      return true
    },
    async release(userId, sessionId) {
      const held = perUser.get(userId)
      held?.delete(sessionId)
      if (held && held.size === 0) perUser.delete(userId)
    },
    async close() {},
  }
}

// KEYS[1] the user's set; ARGV: session id, max, ttl ms. Lapsed members go first; the key itself expires with its last member.
const CLAIM_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local max = tonumber(ARGV[2])
if max > 0 and redis.call('ZCARD', KEYS[1]) >= max then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`
// KEYS[1] the user's set; ARGV: session id, ttl ms. Renews a member still present (XX: a released one stays gone).
const RENEW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`

interface SessionCommands {
  hanggentRealtimeClaim(key: string, sessionId: string, max: number, ttlMs: number): Promise<number>
  hanggentRealtimeRenew(key: string, sessionId: string, ttlMs: number): Promise<number>
}

/** A count shared by every replica on the Redis at `redisUrl` (its own connection); `onError` hears renewal failures. */
export function createRedisSessionCount(redisUrl: string, options: { prefix?: string; onError?: (error: unknown) => void } = {}): SessionCount {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectionName: 'hanggent:realtime-sessions' })
  redis.on('error', options.onError ?? (() => {}))
  redis.defineCommand('hanggentRealtimeClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT })
  redis.defineCommand('hanggentRealtimeRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT })
  const commands = redis as Redis & SessionCommands
  const prefix = options.prefix ?? 'hanggent:realtime:sessions:'
  const keyOf = (userId: number) => `${prefix}${userId}`
  // The sessions this replica holds, renewed on a timer.
  const held = new Map<string, number>()
  const timer = setInterval(() => {
    for (const [sessionId, userId] of held)
      commands.hanggentRealtimeRenew(keyOf(userId), sessionId, SESSION_TTL_MS).catch((error: unknown) => options.onError?.(error))
  }, RENEW_EVERY_MS)
  timer.unref?.()
  return {
    async claim(userId, sessionId, max) {
      const admitted = (await commands.hanggentRealtimeClaim(keyOf(userId), sessionId, max, SESSION_TTL_MS)) === 1
      if (admitted) held.set(sessionId, userId)
      return admitted
    },
    async release(userId, sessionId) {
      held.delete(sessionId)
      await redis.zrem(keyOf(userId), sessionId)
    },
    async close() {
      clearInterval(timer)
      await Promise.all([...held].map(([sessionId, userId]) => redis.zrem(keyOf(userId), sessionId).catch(() => 0)))
      held.clear()
      redis.disconnect()
    },
  }
}
