import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Redis from 'ioredis'
import { chatCall, keepCalling, type ChatOutcome } from '../support/chat-load.ts'
import { loggedCharges, spentBy, unbalancedRequests } from '../support/logged-charges.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startPrivateRedis, type PrivateRedis } from '../support/private-services.ts'
import { startReplicas, type ReplicaSet } from '../support/replicas.ts'
import { reportCampaign } from './campaign-report.ts'

// Issue 14: Redis killed with SIGKILL mid-load under two gateway replicas on PostgreSQL, then started
// again from its append-only file. Twice: once with the AOF as the kill left it (a process crash loses
// nothing Redis had written to the kernel), and once with the AOF cut back to where it stood a second
// before the kill, which is what `appendfsync everysec` loses to a power cut or a host crash: Redis comes
// back with balances, holds, journal entries and cursor of a second ago. While Redis is away a client gets
// its answer or a 503 in OpenAI's shape; afterwards every call succeeds and the books reconcile: every
// answer a client received complete is logged once, funding − balance = Σ logged costs for every key and
// user, and the balance the relay enforces (Redis: b − p − h) is the database's, neither more (invented
// money) nor less (money held by nobody).

const FUNDING = 1_000_000_000
const CLIENTS = 12
const USAGE = { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 }
const CHAOS_LONG = process.env.CHAOS_LONG === '1'

describe('Redis SIGKILL under load (two replicas, PostgreSQL + Redis)', () => {
  const databaseUrl = process.env.TEST_DATABASE_URL
  let fake: FakeOpenAI
  let redis: PrivateRedis
  let set: ReplicaSet
  /** Four keys of two users under load, and a fifth of a third user that only pays a little before the fault (its balance then sits still). */
  const keys: Array<{ id: number; key: string; userId: number }> = []
  const funding = new Map<number, number>()
  let probes = 0
  const findings: string[] = []
  let discrepancy = 0

  beforeAll(async () => {
    if (!databaseUrl) return
    ;[fake, redis] = await Promise.all([startFakeOpenAI({ scenario: { kind: 'usage', usage: USAGE } }), startPrivateRedis()])
    set = await startReplicas({ count: 2, databaseUrl, redisUrl: redis.url })
    await set.admin(0, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    for (let index = 0; index < 4; index++) {
      const userId =
        index % 2 === 0
          ? (await set.admin<{ id: number }>(0, 'POST', '/api/users', { username: `redis-kill-${index}`, password: 'password-123', quota: 2 * FUNDING })).id
          : keys[index - 1]!.userId
      keys.push({
        ...(await set.admin<{ id: number; key: string }>(0, 'POST', '/api/tokens', { name: `redis-kill-${index}`, userId, quota: FUNDING })),
        userId,
      })
      funding.set(userId, (funding.get(userId) ?? 0) + FUNDING)
    }
    const idleUser = (await set.admin<{ id: number }>(0, 'POST', '/api/users', { username: 'redis-kill-idle', password: 'password-123', quota: FUNDING })).id
    keys.push({
      ...(await set.admin<{ id: number; key: string }>(0, 'POST', '/api/tokens', { name: 'redis-kill-idle', userId: idleUser, quota: FUNDING })),
      userId: idleUser,
    })
    funding.set(idleUser, FUNDING)
  }, 90_000)

  afterAll(async () => {
    reportCampaign({ campaign: 'redis-kill', probes, failures: findings.length, moneyDiscrepancyUnits: discrepancy, rows: findings })
    await set?.stop()
    await Promise.all([fake?.stop(), redis?.destroy()])
  }, 30_000)

  /** Load on both replicas; `fault` runs after `beforeMs`; load goes on `afterMs` past its end; then 8 calls that must all succeed. */
  async function campaign(fault: (outcomes: ChatOutcome[]) => Promise<void>, beforeMs: number, afterMs: number) {
    const outcomes: ChatOutcome[] = []
    let stop = false
    const running = keepCalling(
      CLIENTS,
      () => stop,
      async (index) => {
        outcomes.push(await chatCall(set.replicas[index % 2]!.url, keys[index % 4]!.key, index, index % 3 === 0))
      },
    )
    await Bun.sleep(beforeMs)
    await fault(outcomes)
    await Bun.sleep(afterMs)
    stop = true
    await running
    const after: ChatOutcome[] = []
    for (let index = 0; index < 8; index++) after.push(await chatCall(set.replicas[index % 2]!.url, keys[index % 4]!.key, index, index % 2 === 0))
    probes += outcomes.length + after.length
    return { outcomes: [...outcomes, ...after], after }
  }

  /** The balance the relay enforces for an account, read from Redis as the ledger's scripts read it (b − p − h). */
  async function enforced(client: Redis, account: string): Promise<number | undefined> {
    const [, found] = await client.scan('0', 'MATCH', `hanggent:ledger:*:a:${account}`, 'COUNT', 10_000)
    if (!found[0]) return undefined
    const [b, p, h] = await client.hmget(found[0], 'b', 'p', 'h')
    return b === null ? undefined : Number(b) - Number(p ?? 0) - Number(h ?? 0)
  }

  /** Per key and user: funding − balance − Σ logged, the Redis balance against the database's, and each complete answer logged once; `units` sums what is off. */
  async function books(outcomes: ChatOutcome[]): Promise<{ wrong: string[]; units: number }> {
    const logged = await loggedCharges(set.replicas[0]!.url, set.adminToken)
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      const wrong: string[] = []
      let units = 0
      const check = (what: string, funded: number, balance: number, spent: number, live: number | undefined) => {
        const off = funded - balance - spent
        if (off !== 0) wrong.push(`${what}: funding − balance − logged = ${off}`)
        if (live !== undefined && live !== balance) wrong.push(`${what}: Redis enforces ${live}, the database holds ${balance}`)
        units += Math.abs(off) + Math.abs((live ?? balance) - balance)
      }
      for (const entry of keys) {
        const token = await set.admin<{ remainQuota: number }>(0, 'GET', `/api/tokens/${entry.id}`)
        check(
          `token ${entry.id}`,
          FUNDING,
          token.remainQuota,
          spentBy(logged, (row) => row.tokenId === entry.id),
          await enforced(client, `t:${entry.id}`),
        )
      }
      for (const [userId, funded] of funding) {
        const user = await set.admin<{ quota: number }>(0, 'GET', `/api/users/${userId}`)
        check(
          `user ${userId}`,
          funded,
          user.quota,
          spentBy(logged, (row) => row.userId === userId),
          await enforced(client, `u:${userId}`),
        )
      }
      const { duplicated, unbilled } = unbalancedRequests(logged, outcomes)
      const times = (id: string | null) => logged.filter((row) => row.requestId === id).length
      if (duplicated.length > 0) wrong.push(`${duplicated.length} request ids logged twice`)
      if (unbilled.length > 0) wrong.push(`${unbilled.length} complete answers not logged exactly once (logged ${unbilled.map(times).join(', ')} times)`)
      return { wrong, units }
    } finally {
      client.disconnect()
    }
  }

  /** Reads the books until they agree or `timeoutMs` passes (charges reach the database in batches). */
  async function settledBooks(outcomes: ChatOutcome[], timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const { wrong, units } = await books(outcomes)
      if (wrong.length === 0 || Date.now() > deadline) {
        discrepancy += units
        return wrong
      }
      await Bun.sleep(250)
    }
  }

  /** What a campaign found: non-200s other than a clean 503, calls after recovery that failed, books that disagree. */
  async function verdict(name: string, run: Awaited<ReturnType<typeof campaign>>): Promise<string[]> {
    const refused = run.outcomes.filter((outcome) => outcome.status !== 200)
    const unclean = refused.filter((outcome) => outcome.status !== 503 || !outcome.error?.startsWith('service_unavailable_error/billing_unavailable:'))
    const wrong = [
      ...unclean.slice(0, 5).map((outcome) => `${outcome.status} ${outcome.error}`),
      ...run.after.filter((outcome) => outcome.status !== 200).map((outcome) => `after recovery: ${outcome.status} ${outcome.error}`),
      ...(await settledBooks(run.outcomes)),
    ].map((line) => `${name}: ${line}`)
    console.log(
      `${name}:`,
      JSON.stringify({ calls: run.outcomes.length, complete: run.outcomes.filter((outcome) => outcome.complete).length, refused: refused.length }),
    )
    findings.push(...wrong)
    return wrong
  }

  test.skipIf(!databaseUrl)(
    'SIGKILL, restarted from the AOF as the kill left it: answers or clean 503s, then the books reconcile',
    async () => {
      const run = await campaign(
        async () => {
          await redis.kill()
          await redis.start()
        },
        800,
        CHAOS_LONG ? 10_000 : 2_000,
      )
      expect(await verdict('SIGKILL', run)).toEqual([])
    },
    90_000,
  )

  test.skipIf(!databaseUrl)(
    'SIGKILL losing the last second of writes (the AOF cut back as a power cut leaves it): nothing lost, nothing invented',
    async () => {
      const run = await campaign(
        async (outcomes) => {
          // The fifth key pays once before the mark (so Redis holds its balance), then five times in the second Redis will lose.
          const idle = keys[4]!
          outcomes.push(await chatCall(set.replicas[0]!.url, idle.key, 0, false))
          await Bun.sleep(300)
          const mark = redis.aofSize()
          for (let index = 1; index <= 5; index++) outcomes.push(await chatCall(set.replicas[index % 2]!.url, idle.key, index, index % 2 === 0))
          await Bun.sleep(700)
          await redis.kill()
          redis.cutAof(mark)
          await redis.start()
        },
        800,
        CHAOS_LONG ? 10_000 : 3_000,
      )
      const wrong = await verdict('lost second', run)
      // What the replicas did about it (rebuilt balances, holds given back, charges journaled again), for the report.
      const recovery = /Redis restarted|holds of calls that ended|journaled again|Redis lost, journaled/
      for (const replica of set.replicas)
        console.log(
          replica
            .log()
            .split('\n')
            .filter((line) => recovery.test(line))
            .join('\n'),
        )
      expect(wrong).toEqual([])
    },
    90_000,
  )
})
