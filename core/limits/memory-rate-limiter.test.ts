import { describe, expect, test } from 'bun:test'
import { createMemoryRateLimiter } from './memory-rate-limiter.ts'
import { describeRateLimiterBehaviour } from './rate-limiter-behaviour.ts'

/** A clock tests move by hand. */
function manualClock(start = 1_000_000) {
  const clock = { time: start, now: () => clock.time }
  return clock
}

describeRateLimiterBehaviour('memory', async () => {
  const clock = manualClock()
  const limiter = createMemoryRateLimiter({ now: clock.now })
  return {
    limiter,
    exactClock: true,
    async advance(ms) {
      clock.time += ms
    },
    close: () => limiter.close(),
  }
})

describe('createMemoryRateLimiter: bounded memory', () => {
  test('maxKeys evicts the least recently used key', async () => {
    const clock = manualClock()
    const limiter = createMemoryRateLimiter({ now: clock.now, maxKeys: 3 })
    for (const key of ['a', 'b', 'c']) await limiter.take(key, 1, 60_000)
    await limiter.peek('a', 1, 60_000) // 'a' used again: 'b' is now the least recent
    await limiter.take('d', 1, 60_000)
    expect(limiter.size()).toBe(3)
    expect((await limiter.peek('b', 1, 60_000)).allowed).toBe(true) // forgotten
    for (const key of ['a', 'c', 'd']) expect((await limiter.peek(key, 1, 60_000)).allowed).toBe(false)
    await limiter.close()
  })

  test('peeking unknown keys stores nothing', async () => {
    const limiter = createMemoryRateLimiter({ maxKeys: 2 })
    for (let index = 0; index < 10; index++) await limiter.peek(`k${index}`, 1, 1000)
    expect(limiter.size()).toBe(0)
    await limiter.close()
  })

  test('sweep drops keys whose events have all expired and keeps live ones', async () => {
    const clock = manualClock()
    const limiter = createMemoryRateLimiter({ now: clock.now })
    for (let index = 0; index < 100; index++) await limiter.take(`idle-${index}`, 5, 1000)
    clock.time += 500
    await limiter.record('live', 1000)
    clock.time += 500 // the idle keys' events are exactly one window old: gone
    expect(limiter.sweep()).toBe(100)
    expect(limiter.size()).toBe(1)
    expect(await limiter.peek('live', 2, 1000)).toMatchObject({ remaining: 1 })
    await limiter.close()
  })

  test('the periodic sweep runs on its timer', async () => {
    const clock = manualClock()
    const limiter = createMemoryRateLimiter({ now: clock.now, sweepIntervalMs: 5 })
    for (let index = 0; index < 10; index++) await limiter.take(`idle-${index}`, 5, 1000)
    clock.time += 1000
    const deadline = Date.now() + 2000
    while (limiter.size() > 0 && Date.now() < deadline) await Bun.sleep(5)
    expect(limiter.size()).toBe(0)
    await limiter.close()
  })

  test('the sweep timer does not keep the process alive', async () => {
    const module = new URL('./memory-rate-limiter.ts', import.meta.url).pathname
    const script = `import { createMemoryRateLimiter } from ${JSON.stringify(module)}
const limiter = createMemoryRateLimiter({ sweepIntervalMs: 1000 })
await limiter.take('key', 1, 60000)
console.log('taken')`
    const child = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' })
    const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(10_000).then(() => false)])
    if (!exited) child.kill()
    expect(exited).toBe(true)
    expect(await new Response(child.stdout).text()).toBe('taken\n')
    expect(child.exitCode).toBe(0)
  })
})
