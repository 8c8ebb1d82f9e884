import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import Redis from 'ioredis'
import { describeRateLimiterBehaviour } from './rate-limiter-behaviour.ts'
import type { RateLimiter } from './rate-limiter.ts'
import { createRedisRateLimiter } from './redis-rate-limiter.ts'

const redisUrl = process.env.TEST_REDIS_URL

/** Deletes every key under `prefix` (SCAN, so a shared server is never blocked). */
async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await redis.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

/** A run-unique key prefix, so parallel test runs on one Redis never share counts. */
const runPrefix = () => `test:rate:${randomUUID()}:`

describe.skipIf(!redisUrl)('createRedisRateLimiter (real Redis)', () => {
  describeRateLimiterBehaviour('redis', async () => {
    const redis = new Redis(redisUrl ?? '')
    const prefix = runPrefix()
    return {
      limiter: createRedisRateLimiter(redis, { prefix }),
      exactClock: false,
      advance: (ms) => Bun.sleep(ms),
      async close() {
        await deleteKeys(redis, prefix)
        await redis.quit()
      },
    }
  })

  describe('shared by replicas', () => {
    const prefix = runPrefix()
    let connections: Redis[]
    let replicas: RateLimiter[]

    beforeAll(() => {
      connections = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')]
      replicas = connections.map((redis) => createRedisRateLimiter(redis, { prefix }))
    })

    afterAll(async () => {
      const [admin] = connections
      if (admin) await deleteKeys(admin, prefix)
      await Promise.all(connections.map((redis) => redis.quit()))
    })

    test('two limiters on separate connections: 100 concurrent takes with limit 30 → exactly 30 allowed in total', async () => {
      await Promise.all(connections.map((redis) => redis.ping())) // both connected, so the takes really interleave
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, index) => replicas[index % 2]?.take('shared', 30, 60_000)))
      expect(decisions.filter((decision) => decision?.allowed).length).toBe(30)
      expect(await connections[0]?.zcard(`${prefix}shared`)).toBe(30)
      for (const replica of replicas) expect(await replica.peek('shared', 30, 60_000)).toMatchObject({ allowed: false, remaining: 0 })
    })

    test('events from both replicas in the same millisecond all count (unique members)', async () => {
      await Promise.all(Array.from({ length: 40 }, (_, index) => replicas[index % 2]?.record('same-ms', 60_000)))
      expect(await connections[0]?.zcard(`${prefix}same-ms`)).toBe(40)
      expect(await replicas[1]?.peek('same-ms', 50, 60_000)).toMatchObject({ allowed: true, remaining: 10 })
    })

    test('events are timed by the Redis server clock, not the client clock', async () => {
      const realNow = Date.now
      Date.now = () => realNow() + 3_600_000 // this client's clock runs an hour fast
      try {
        await replicas[0]?.take('server-time', 5, 60_000)
      } finally {
        Date.now = realNow
      }
      const [seconds, microseconds] = (await connections[1]?.time()) ?? [0, 0]
      const serverMs = Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000)
      const scores = (await connections[1]?.zrange(`${prefix}server-time`, 0, -1, 'WITHSCORES')) ?? []
      expect(scores.length).toBe(2)
      expect(Math.abs(serverMs - Number(scores[1]))).toBeLessThan(5_000)
    })

    test('a key expires one window after its newest event; peek neither adds nor extends', async () => {
      await replicas[0]?.take('expiry', 5, 2_000)
      const ttl = (await connections[0]?.pttl(`${prefix}expiry`)) ?? -1
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(2_000)
      await replicas[1]?.peek('expiry', 5, 60_000)
      expect(await connections[0]?.zcard(`${prefix}expiry`)).toBe(1)
      expect((await connections[0]?.pttl(`${prefix}expiry`)) ?? -1).toBeLessThanOrEqual(2_000)
      await replicas[1]?.peek('never-taken', 5, 60_000)
      expect(await connections[0]?.exists(`${prefix}never-taken`)).toBe(0)
    })
  })
})
