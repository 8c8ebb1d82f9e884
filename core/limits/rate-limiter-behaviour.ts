import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { RateDecision, RateLimiter } from './rate-limiter.ts'

/** What the shared suite needs from one implementation. */
export interface RateLimiterHarness {
  limiter: RateLimiter
  /** Lets `ms` pass: moves an injected clock, or sleeps when the limiter reads a real one. */
  advance(ms: number): Promise<void>
  /** True when `advance` is exact, so time-derived values can be asserted to the millisecond. */
  exactClock: boolean
  /** Releases what the harness opened (and, for Redis, deletes the test's keys). */
  close(): Promise<void>
}

/** Runs `count` takes one after another. */
async function takeSequentially(limiter: RateLimiter, key: string, count: number, limit: number, windowMs: number): Promise<RateDecision[]> {
  const decisions: RateDecision[] = []
  for (let index = 0; index < count; index++) decisions.push(await limiter.take(key, limit, windowMs))
  return decisions
}

/** How many decisions were allowed. */
function allowedCount(decisions: RateDecision[]): number {
  return decisions.filter((decision) => decision.allowed).length
}

/** The behaviour every RateLimiter must show, run against each implementation. */
export function describeRateLimiterBehaviour(name: string, open: () => Promise<RateLimiterHarness>): void {
  describe(`${name}: sliding window log`, () => {
    let harness: RateLimiterHarness
    let keys = 0
    const key = (label: string) => `${label}-${++keys}`
    beforeAll(async () => {
      harness = await open()
    })
    afterAll(() => harness.close())
    defineCountingTests(() => harness, key)
    defineKeyTests(() => harness, key)
    defineSharingTests(() => harness, key)
  })
}

/** Limits, refusals, window expiry and the sliding (not fixed) window. */
function defineCountingTests(current: () => RateLimiterHarness, key: (label: string) => string): void {
  test('exactly `limit` of N sequential takes are allowed, with remaining counting down and a bounded retry', async () => {
    const { limiter, advance } = current()
    const subject = key('sequential')
    const decisions = await takeSequentially(limiter, subject, 12, 5, 300)
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false, false, false, false, false, false, false])
    expect(decisions.slice(0, 5).map((decision) => [decision.remaining, decision.retryAfterMs])).toEqual([
      [4, 0],
      [3, 0],
      [2, 0],
      [1, 0],
      [0, 0],
    ])
    for (const refused of decisions.slice(5)) {
      expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0 })
      expect(refused.retryAfterMs).toBeGreaterThan(0)
      expect(refused.retryAfterMs).toBeLessThanOrEqual(300)
    }
    await advance(310)
    expect(allowedCount(await takeSequentially(limiter, subject, 8, 5, 300))).toBe(5)
  })

  test('refused takes are not counted', async () => {
    const { limiter, advance } = current()
    const subject = key('refused')
    expect(allowedCount(await takeSequentially(limiter, subject, 3, 3, 1000))).toBe(3)
    await advance(500)
    expect(allowedCount(await takeSequentially(limiter, subject, 5, 3, 1000))).toBe(0)
    await advance(600) // the first three have left; refused attempts at ~500 would still be inside
    expect(allowedCount(await takeSequentially(limiter, subject, 4, 3, 1000))).toBe(3)
  })

  test('the window slides: no fresh allowance at a fixed boundary', async () => {
    const { limiter, advance, exactClock } = current()
    const subject = key('sliding')
    expect((await limiter.take(subject, 2, 1000)).allowed).toBe(true) // t=0
    await advance(900)
    expect((await limiter.take(subject, 2, 1000)).allowed).toBe(true) // t=900
    await advance(200)
    expect((await limiter.take(subject, 2, 1000)).allowed).toBe(true) // t=1100: only the t=0 event has left
    const refused = await limiter.take(subject, 2, 1000) // a fixed window starting at 1000 would allow this
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfterMs).toBeGreaterThan(0)
    expect(refused.retryAfterMs).toBeLessThanOrEqual(800) // the t=900 event leaves at 1900
    if (exactClock) {
      expect(refused.retryAfterMs).toBe(800)
      await advance(799) // t=1899
      expect((await limiter.take(subject, 2, 1000)).allowed).toBe(false)
      await advance(2) // t=1901
    } else {
      await advance(refused.retryAfterMs + 1)
    }
    expect((await limiter.take(subject, 2, 1000)).allowed).toBe(true)
    expect((await limiter.take(subject, 2, 1000)).allowed).toBe(false)
  })
}

/** Key independence and argument checks. */
function defineKeyTests(current: () => RateLimiterHarness, key: (label: string) => string): void {
  test('keys are independent', async () => {
    const { limiter } = current()
    const [first, second] = [key('independent-a'), key('independent-b')]
    expect(allowedCount(await takeSequentially(limiter, first, 4, 3, 1000))).toBe(3)
    expect(await limiter.peek(second, 3, 1000)).toEqual({ allowed: true, limit: 3, remaining: 3, retryAfterMs: 0 })
    expect(allowedCount(await takeSequentially(limiter, second, 4, 3, 1000))).toBe(3)
    expect((await limiter.peek(first, 3, 1000)).allowed).toBe(false)
  })

  test('invalid limits and windows are rejected, not clamped', async () => {
    const { limiter } = current()
    await expect(limiter.take(key('invalid'), 3, 0)).rejects.toThrow(RangeError)
    await expect(limiter.take(key('invalid'), -1, 1000)).rejects.toThrow(RangeError)
    await expect(limiter.peek(key('invalid'), 1.5, 1000)).rejects.toThrow(RangeError)
    await expect(limiter.record(key('invalid'), Number.NaN)).rejects.toThrow(RangeError)
  })
}

/** Atomicity under concurrency, and record/peek. */
function defineSharingTests(current: () => RateLimiterHarness, key: (label: string) => string): void {
  test('200 concurrent takes with limit 50 → exactly 50 allowed, each seeing a distinct remaining count', async () => {
    const { limiter } = current()
    const subject = key('concurrent')
    const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.take(subject, 50, 60_000)))
    expect(allowedCount(decisions)).toBe(50)
    const remaining = decisions
      .filter((decision) => decision.allowed)
      .map((decision) => decision.remaining)
      .sort((a, b) => a - b)
    expect(remaining).toEqual(Array.from({ length: 50 }, (_, index) => index))
    expect(await limiter.peek(subject, 50, 60_000)).toMatchObject({ allowed: false, remaining: 0 })
  })

  test('record counts toward peek and take; peek does not count', async () => {
    const { limiter } = current()
    const subject = key('record')
    expect(await limiter.peek(subject, 5, 1000)).toEqual({ allowed: true, limit: 5, remaining: 5, retryAfterMs: 0 })
    for (let index = 0; index < 3; index++) await limiter.record(subject, 1000)
    for (let index = 0; index < 4; index++) expect(await limiter.peek(subject, 5, 1000)).toEqual({ allowed: true, limit: 5, remaining: 2, retryAfterMs: 0 })
    expect(allowedCount(await takeSequentially(limiter, subject, 3, 5, 1000))).toBe(2)
    await limiter.record(subject, 1000) // record ignores the limit: 6 events now
    const over = await limiter.peek(subject, 5, 1000)
    expect(over).toMatchObject({ allowed: false, limit: 5, remaining: 0 })
    expect(over.retryAfterMs).toBeGreaterThan(0)
    expect(over.retryAfterMs).toBeLessThanOrEqual(1000)
  })

  test('when records pushed the count past the limit, the retry waits for enough events to leave', async () => {
    const { limiter, advance, exactClock } = current()
    const subject = key('over-limit')
    await limiter.record(subject, 1000) // t=0
    await advance(300)
    await limiter.record(subject, 1000) // t=300
    await advance(300)
    await limiter.record(subject, 1000) // t=600: 3 events, limit 2 → two must leave, the t=300 one last
    const refused = await limiter.take(subject, 2, 1000)
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfterMs).toBeGreaterThan(400) // more than the oldest event alone (it leaves at 1000)
    expect(refused.retryAfterMs).toBeLessThanOrEqual(700)
    if (exactClock) expect(refused.retryAfterMs).toBe(700)
    await advance(refused.retryAfterMs + 1)
    expect((await limiter.take(subject, 2, 1000)).allowed).toBe(true)
  })
}
