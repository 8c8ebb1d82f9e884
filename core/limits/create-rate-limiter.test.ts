import { describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import Redis from 'ioredis'
import { createRateLimiter, retryAfterSeconds } from './index.ts'

const redisUrl = process.env.TEST_REDIS_URL

describe('retryAfterSeconds', () => {
  test('rounds up to whole seconds, never below 1', () => {
    const decision = (retryAfterMs: number) => ({ allowed: false, limit: 1, remaining: 0, retryAfterMs })
    expect([0, 1, 999, 1000, 1001, 59_999, 60_000].map((ms) => retryAfterSeconds(decision(ms)))).toEqual([1, 1, 1, 1, 2, 60, 60])
  })
})

describe('createRateLimiter', () => {
  test('without a Redis URL the limiter lives in this process', async () => {
    const first = createRateLimiter({})
    const second = createRateLimiter({})
    expect((await first.take('key', 1, 60_000)).allowed).toBe(true)
    expect((await first.take('key', 1, 60_000)).allowed).toBe(false)
    expect((await second.take('key', 1, 60_000)).allowed).toBe(true) // nothing shared between instances
    await Promise.all([first.close(), second.close()])
  })

  test.skipIf(!redisUrl)('with a Redis URL, limiters share counts and close their own connections', async () => {
    const prefix = `test:rate:${randomUUID()}:`
    const first = createRateLimiter({ redisUrl, prefix })
    const second = createRateLimiter({ redisUrl, prefix })
    expect((await first.take('key', 1, 60_000)).allowed).toBe(true)
    expect((await second.take('key', 1, 60_000)).allowed).toBe(false)
    await Promise.all([first.close(), second.close()])
    await expect(first.peek('key', 1, 60_000)).rejects.toThrow()
    const admin = new Redis(redisUrl ?? '')
    expect(await admin.del(`${prefix}key`)).toBe(1)
    await admin.quit()
  })
})
