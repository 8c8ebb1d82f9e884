import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import Redis from 'ioredis'
import { waitFor } from '../../tests/support/wait-for.ts'
import type { LeaseManager } from './lease.ts'
import { createMemoryLeaseManager, createMemoryLeaseStore } from './lease-memory.ts'
import { createRedisLeaseManager } from './lease-redis.ts'
import { runLeasedJob } from './leased-job.ts'

const redisUrl = process.env.TEST_REDIS_URL

/** Starts the same job on two "replicas" and counts executions per replica. */
function startOnTwoReplicas(first: LeaseManager, second: LeaseManager, name: string) {
  const runs = { first: 0, second: 0 }
  const job = (replica: 'first' | 'second') => async () => {
    runs[replica]++
    await Bun.sleep(5)
  }
  const options = { name, intervalMs: 40, ttlMs: 2000 } // a long ttl: a stalled event loop must not hand the lease over mid-test
  const jobs = {
    first: runLeasedJob({ ...options, leases: first, run: job('first') }),
    second: runLeasedJob({ ...options, leases: second, run: job('second') }),
  }
  return { runs, jobs }
}

describe('createMemoryLeaseManager', () => {
  test('with its own store it always grants', async () => {
    const leases = createMemoryLeaseManager()
    expect(await leases.acquire('job', 1000)).toBe(true)
    expect(await leases.acquire('job', 1000)).toBe(true)
    await leases.release('job')
    expect(await leases.acquire('job', 1000)).toBe(true)
    await leases.close()
  })

  test('with a shared store, holders exclude each other until release or expiry', async () => {
    let clock = 0
    const store = createMemoryLeaseStore()
    const a = createMemoryLeaseManager({ store, holderId: 'a', now: () => clock })
    const b = createMemoryLeaseManager({ store, holderId: 'b', now: () => clock })
    expect(await a.acquire('job', 100)).toBe(true)
    expect(await b.acquire('job', 100)).toBe(false)
    await b.release('job')
    expect(store.get('job')?.holderId).toBe('a')
    clock = 90
    expect(await a.acquire('job', 100)).toBe(true) // renewed until 190
    clock = 150
    expect(await b.acquire('job', 100)).toBe(false)
    clock = 191
    expect(await b.acquire('job', 100)).toBe(true)
    expect(await a.acquire('job', 100)).toBe(false)
    await b.close()
    expect(await a.acquire('job', 100)).toBe(true)
  })
})

describe('runLeasedJob (memory leases)', () => {
  test('never overlaps executions in one process and stop() waits for the running one', async () => {
    let active = 0
    let maxActive = 0
    let finished = 0
    const job = runLeasedJob({
      leases: createMemoryLeaseManager(),
      name: 'slow',
      intervalMs: 10,
      run: async () => {
        active++
        maxActive = Math.max(maxActive, active)
        await Bun.sleep(60)
        active--
        finished++
      },
    })
    await Bun.sleep(150)
    await job.stop()
    expect(maxActive).toBe(1)
    expect(active).toBe(0)
    expect(finished).toBeGreaterThanOrEqual(1)
  })

  test('stop() aborts the signal, releases the lease and ends scheduling', async () => {
    const store = createMemoryLeaseStore()
    let aborted = false
    let runs = 0
    const job = runLeasedJob({
      leases: createMemoryLeaseManager({ store }),
      name: 'poll',
      intervalMs: 10,
      run: async (signal) => {
        runs++
        while (!signal.aborted) await Bun.sleep(5)
        aborted = true
      },
    })
    await waitFor(() => runs === 1)
    await job.stop()
    expect(aborted).toBe(true)
    expect(store.has('poll')).toBe(false)
    await Bun.sleep(50)
    expect(runs).toBe(1)
  })

  test('job failures go to onError and the job keeps its schedule', async () => {
    const errors: unknown[] = []
    let runs = 0
    const job = runLeasedJob({
      leases: createMemoryLeaseManager(),
      name: 'flaky',
      intervalMs: 10,
      run: async () => {
        runs++
        throw new Error('upstream down')
      },
      onError: (error) => errors.push(error),
    })
    await waitFor(() => runs >= 3)
    await job.stop()
    expect(errors.length).toBe(runs)
  })

  test('two holders of one store: only one runs, the other takes over after stop', async () => {
    const store = createMemoryLeaseStore()
    const { runs, jobs } = startOnTwoReplicas(createMemoryLeaseManager({ store }), createMemoryLeaseManager({ store }), 'shared')
    await Bun.sleep(300)
    expect(runs.first).toBeGreaterThan(0)
    expect(runs.second).toBe(0)
    await jobs.first.stop()
    await waitFor(() => runs.second > 0)
    await jobs.second.stop()
  })

  test('rejects a ttl that would lapse between renewals', () => {
    expect(() => runLeasedJob({ leases: createMemoryLeaseManager(), name: 'x', intervalMs: 100, ttlMs: 100, run: async () => {} })).toThrow(RangeError)
  })
})

describe.skipIf(!redisUrl)('createRedisLeaseManager (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`
  const managers: LeaseManager[] = []
  let admin: Redis
  const open = async (holderId: string) => {
    const manager = await createRedisLeaseManager({ redisUrl: redisUrl ?? '', prefix, holderId })
    managers.push(manager)
    return manager
  }

  beforeAll(() => {
    admin = new Redis(redisUrl ?? '')
  })

  afterAll(async () => {
    await Promise.all(managers.map((manager) => manager.close()))
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    await admin.quit()
  })

  test('exactly one of two holders acquires, and the holder renews', async () => {
    const [a, b] = await Promise.all([open('a'), open('b')])
    const results = await Promise.all([a.acquire('one', 5000), b.acquire('one', 5000)])
    expect(results.filter(Boolean)).toHaveLength(1)
    const [holder, other] = results[0] ? [a, b] : [b, a]
    expect(await holder.acquire('one', 60_000)).toBe(true)
    expect(await admin.pttl(`${prefix}lease:one`)).toBeGreaterThan(5000)
    expect(await other.acquire('one', 5000)).toBe(false)
  })

  test('the other holder takes over after release', async () => {
    const [a, b] = [await open('a2'), await open('b2')]
    expect(await a.acquire('two', 5000)).toBe(true)
    expect(await b.acquire('two', 5000)).toBe(false)
    await a.release('two')
    expect(await b.acquire('two', 5000)).toBe(true)
    expect(await admin.get(`${prefix}lease:two`)).toBe('b2')
  })

  test('the other holder takes over after the ttl expires', async () => {
    const [a, b] = [await open('a3'), await open('b3')]
    expect(await a.acquire('three', 100)).toBe(true)
    expect(await b.acquire('three', 100)).toBe(false)
    await Bun.sleep(150)
    expect(await b.acquire('three', 5000)).toBe(true)
    expect(await a.acquire('three', 5000)).toBe(false)
  })

  test("a non-holder can neither release nor renew someone else's lease", async () => {
    const [a, b] = [await open('a4'), await open('b4')]
    expect(await a.acquire('four', 1000)).toBe(true)
    await b.release('four')
    expect(await admin.get(`${prefix}lease:four`)).toBe('a4')
    expect(await b.acquire('four', 60_000)).toBe(false)
    expect(await admin.pttl(`${prefix}lease:four`)).toBeLessThanOrEqual(1000)
  })

  test('close() releases the leases it holds', async () => {
    const a = await createRedisLeaseManager({ redisUrl: redisUrl ?? '', prefix, holderId: 'a5' })
    expect(await a.acquire('five', 60_000)).toBe(true)
    await a.close()
    expect(await admin.exists(`${prefix}lease:five`)).toBe(0)
  })

  test('runLeasedJob on two replicas runs on one at a time; the other takes over after stop', async () => {
    const [a, b] = [await open('a6'), await open('b6')]
    const { runs, jobs } = startOnTwoReplicas(a, b, 'six')
    await Bun.sleep(1000)
    const counts = [runs.first, runs.second].sort((x, y) => x - y)
    expect(counts[0]).toBe(0)
    expect(counts[1]).toBeGreaterThan(0)
    const [leader, follower] = runs.first > 0 ? (['first', 'second'] as const) : (['second', 'first'] as const)
    await jobs[leader].stop()
    const leaderRuns = runs[leader]
    await waitFor(() => runs[follower] > 0)
    await Bun.sleep(100)
    expect(runs[leader]).toBe(leaderRuns)
    await jobs[follower].stop()
  })
})
