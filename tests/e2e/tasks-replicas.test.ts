import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startFakeMidjourney } from '../support/fake-midjourney.ts'
import { startReplicas, type ReplicaSet } from '../support/replicas.ts'

// Task polling with two gateway processes on one PostgreSQL and one Redis (issue 11 items 6–7): both run
// the leased poller; tasks the upstream fails are refunded exactly once (balance back to the unit, one
// refund row per task); a task in flight while both replicas crash and restart is polled to SUCCESS by
// the new processes and charged exactly once.

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL
const START = 10_000_000
const IMAGINE_UNITS = 50_000

describe.skipIf(!databaseUrl || !redisUrl)('task polling across replicas', () => {
  let set: ReplicaSet
  const mj = startFakeMidjourney('mj-replica-secret')
  let user: { id: number }
  let key: string

  beforeAll(async () => {
    set = await startReplicas({ count: 2, databaseUrl: databaseUrl ?? '', redisUrl: redisUrl ?? '', env: { TASK_POLL_INTERVAL_SECONDS: '0.2' } })
    await set.admin(0, 'POST', '/api/channels', { name: 'mj', type: 'midjourney', key: 'mj-replica-secret', baseUrl: mj.url, models: ['mj_imagine'] })
    user = await set.admin<{ id: number }>(0, 'POST', '/api/users', { username: 'replica-painter', password: 'password-123', quota: START })
    key = (await set.admin<{ key: string }>(1, 'POST', '/api/tokens', { name: 'painter', userId: user.id, unlimited: true })).key
  }, 90_000)
  afterAll(async () => {
    await set?.stop()
    mj.stop()
  })

  const submit = async (replica: number, prompt: string) => {
    const response = await fetch(`${set.replicas[replica]!.url}/mj/submit/imagine`, {
      method: 'POST',
      headers: { 'mj-api-secret': key, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt }),
    })
    expect(response.status).toBe(200)
    return String(((await response.json()) as { result: string }).result)
  }
  const status = async (replica: number, id: string) => {
    const response = await fetch(`${set.replicas[replica]!.url}/mj/task/${id}/fetch`, { headers: { 'mj-api-secret': key } })
    return ((await response.json()) as { status: string }).status
  }
  const waitFinished = async (ids: string[], timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const states = await Promise.all(ids.map((id, index) => status(index % 2, id)))
      if (states.every((state) => state === 'SUCCESS' || state === 'FAILURE')) return states
      if (Date.now() > deadline)
        throw new Error(
          `tasks did not finish: ${states.join(', ')}\n${set.replicas
            .map((replica) =>
              replica
                .output()
                .split('\n')
                .filter((line) => /task/.test(line))
                .slice(-8)
                .join('\n'),
            )
            .join('\n---\n')}`,
        )
      await Bun.sleep(100)
    }
  }
  const quota = async () => (await set.admin<{ quota: number }>(0, 'GET', `/api/users/${user.id}`)).quota
  const logsOf = async (type: string) =>
    (
      await set.admin<{ items: Array<{ quota: number; details: Record<string, unknown> | null }> }>(
        0,
        'GET',
        `/api/logs?type=${type}&userId=${user.id}&pageSize=100`,
      )
    ).items

  test('upstream failures are refunded exactly once while both replicas run the poller', async () => {
    mj.nextOutcome = { kind: 'failure', reason: 'Job failed upstream' }
    const ids = [await submit(0, 'doomed 1'), await submit(1, 'doomed 2'), await submit(0, 'doomed 3')]
    mj.nextOutcome = { kind: 'success' }
    expect(START - (await quota())).toBe(3 * IMAGINE_UNITS)
    expect(await waitFinished(ids)).toEqual(['FAILURE', 'FAILURE', 'FAILURE'])
    // Several more poller rounds on both replicas change nothing.
    await Bun.sleep(1_500)
    expect(await quota()).toBe(START)
    const refunds = (await logsOf('refund')).filter((row) => ids.includes(String(row.details?.taskId)))
    expect(refunds.map((row) => row.quota)).toEqual([IMAGINE_UNITS, IMAGINE_UNITS, IMAGINE_UNITS])
    expect(new Set(refunds.map((row) => row.details?.taskId)).size).toBe(3)
  }, 60_000)

  test('a task in flight when both replicas crash is polled to SUCCESS after they restart, charged once', async () => {
    const before = await quota()
    const id = await submit(1, 'survivor')
    const upstream = [...mj.tasks.values()].find((task) => task.prompt === 'survivor')!
    upstream.frozen = true
    await Bun.sleep(500)
    expect(await status(0, id)).not.toBe('SUCCESS')
    await set.restart(0)
    await set.restart(1)
    upstream.frozen = false
    expect(await waitFinished([id])).toEqual(['SUCCESS'])
    await Bun.sleep(1_000)
    expect(before - (await quota())).toBe(IMAGINE_UNITS)
    const charges = (await logsOf('consume')).filter((row) => row.details?.taskId === id)
    expect(charges.map((row) => row.quota)).toEqual([IMAGINE_UNITS])
    expect((await logsOf('refund')).filter((row) => row.details?.taskId === id)).toHaveLength(0)
  }, 90_000)
})
