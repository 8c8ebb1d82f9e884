import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chatCall, keepCalling, outcomeSummary, type ChatOutcome } from '../support/chat-load.ts'
import { loggedCharges, spentBy, unbalancedRequests } from '../support/logged-charges.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { gatewayEnv, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts'
import { startPrivatePostgres, startPrivateRedis, type PrivateService } from '../support/private-services.ts'

// Issue 14, dependency faults: Redis, then PostgreSQL, stopped and started again while clients keep
// calling (streams and plain answers, several keys of two users). While Redis (the balance store) is
// down a client gets a normal answer or a clean 503 in OpenAI's shape, never a 500 or a hung call;
// a PostgreSQL outage is not visible at all; once a dependency is back every call succeeds, and the
// books reconcile: for every key and user, funding − balance equals the sum of the logged costs, each
// logged once, and every answer received complete is billed. Redis runs with AOF (fsync every second)
// as docker-compose.yml runs it, and is stopped with SIGTERM (it writes its AOF); redis-kill.test.ts
// kills it with SIGKILL, and restarts it without the last second of writes a power cut would cost.

const ADMIN = 'faults-admin-token-0123456789'
const FUNDING = 1_000_000_000
const CLIENTS = 12
const USAGE = { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 }

/** A call's outcome and which of the four keys made it. */
type Outcome = ChatOutcome & { key: number }

/** Keeps CLIENTS calls in flight until `stop.now` (streams and plain answers alternating); every outcome is recorded. */
async function load(gateway: GatewayProcess, keys: string[], outcomes: Outcome[], stop: { now: boolean }): Promise<void> {
  await keepCalling(
    CLIENTS,
    () => stop.now,
    async (index) => {
      const key = index % keys.length
      outcomes.push({ key, ...(await chatCall(gateway.url, keys[key]!, index, index % 2 === 0)) })
    },
  )
}

interface Books {
  keys: Array<{ id: number; key: string; userId: number }>
}

/** funding − balance against Σ logged costs, per key and per user, and each complete answer logged once. */
async function reconcile(gateway: GatewayProcess, books: Books, outcomes: Outcome[]) {
  const logged = await loggedCharges(gateway.url, ADMIN)
  const keys = await Promise.all(
    books.keys.map(async (entry, index) => {
      const token = await gateway.admin<{ remainQuota: number; usedQuota: number }>(ADMIN, 'GET', `/api/tokens/${entry.id}`)
      return { key: index, discrepancy: FUNDING - token.remainQuota - spentBy(logged, (row) => row.tokenId === entry.id) }
    }),
  )
  const users = await Promise.all(
    [...new Set(books.keys.map((entry) => entry.userId))].map(async (userId) => {
      const user = await gateway.admin<{ quota: number }>(ADMIN, 'GET', `/api/users/${userId}`)
      return { userId, discrepancy: 2 * FUNDING - user.quota - spentBy(logged, (row) => row.userId === userId) }
    }),
  )
  return {
    ...unbalancedRequests(logged, outcomes),
    keys: keys.filter((entry) => entry.discrepancy !== 0),
    users: users.filter((entry) => entry.discrepancy !== 0),
  }
}

/** Reconciles until the books agree or `timeoutMs` passes (charges reach the database in batches). */
async function settledBooks(gateway: GatewayProcess, books: Books, outcomes: Outcome[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // Right after PostgreSQL comes back, a read on a pooled connection the restart closed is a clean 503
    // database_unavailable (never a 500): read the books again, as an operator's dashboard would.
    const result = await reconcile(gateway, books, outcomes).catch((error: unknown) => {
      if (!String(error).includes('→ 503') || Date.now() > deadline) throw error
      return undefined
    })
    const clean = result && result.duplicated.length + result.unbilled.length + result.keys.length + result.users.length === 0
    if (result && (clean || Date.now() > deadline)) return result
    await Bun.sleep(250)
  }
}

describe('dependency faults under load (PostgreSQL + Redis)', () => {
  let fake: FakeOpenAI
  let redis: PrivateService
  let postgres: PrivateService
  let gateway: GatewayProcess
  let dataDir: string
  const books: Books = { keys: [] }

  beforeAll(async () => {
    ;[fake, redis, postgres] = await Promise.all([startFakeOpenAI({ scenario: { kind: 'usage', usage: USAGE } }), startPrivateRedis(), startPrivatePostgres()])
    dataDir = mkdtempSync(join(tmpdir(), 'hanggent-faults-'))
    gateway = await startGatewayProcess(
      gatewayEnv({
        DATA_DIR: dataDir,
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        ROOT_ACCESS_TOKEN: ADMIN,
        CRYPTO_SECRET: 'faults-crypto-secret-0123456789',
        SESSION_SECRET: 'faults-session-secret-0123456789',
      }),
    )
    await gateway.admin(ADMIN, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    for (let index = 0; index < 4; index++) {
      const userId =
        index % 2 === 0
          ? (await gateway.admin<{ id: number }>(ADMIN, 'POST', '/api/users', { username: `faults-${index}`, password: 'password-123', quota: 2 * FUNDING })).id
          : books.keys[index - 1]!.userId
      books.keys.push({
        ...(await gateway.admin<{ id: number; key: string }>(ADMIN, 'POST', '/api/tokens', { name: `faults-${index}`, userId, quota: FUNDING })),
        userId,
      })
    }
  }, 60_000)

  afterAll(async () => {
    gateway?.process.kill('SIGKILL')
    await gateway?.process.exited
    await Promise.all([fake?.stop(), redis?.destroy(), postgres?.destroy()])
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  /** Load; the fault after `beforeMs`; the service back after `downMs`; load for `afterMs` more. */
  async function campaign(service: PrivateService, beforeMs: number, downMs: number, afterMs: number) {
    const outcomes: Outcome[] = []
    const stop = { now: false }
    const running = load(
      gateway,
      books.keys.map((entry) => entry.key),
      outcomes,
      stop,
    )
    await Bun.sleep(beforeMs)
    const downAt = outcomes.length
    await service.stop()
    await Bun.sleep(downMs)
    await service.start()
    const upAt = outcomes.length
    await Bun.sleep(afterMs)
    stop.now = true
    await running
    // Once the dependency is back (and the gateway had `afterMs` to notice), every call succeeds.
    const after: Outcome[] = []
    for (let index = 0; index < 8; index++) after.push({ key: index % 4, ...(await chatCall(gateway.url, books.keys[index % 4]!.key, index, index % 2 === 0)) })
    return { outcomes: [...outcomes, ...after], during: outcomes.slice(downAt, upAt), after }
  }

  test('Redis stopped and started again mid-load', async () => {
    const run = await campaign(redis, 800, 1500, 2000)
    console.log('redis fault:', JSON.stringify({ all: outcomeSummary(run.outcomes), during: outcomeSummary(run.during), after: outcomeSummary(run.after) }))
    expect(run.after.map((outcome) => outcome.status)).toEqual(Array(8).fill(200))
    // Refused calls say why in OpenAI's shape, nothing charged; none hangs waiting for Redis.
    const refused = run.outcomes.filter((outcome) => outcome.status !== 200)
    expect(refused.filter((outcome) => outcome.status !== 503 || !outcome.error?.startsWith('service_unavailable_error/billing_unavailable'))).toEqual([])
    expect(Math.max(...run.outcomes.map((outcome) => outcome.ms))).toBeLessThan(10_000)
    expect(await settledBooks(gateway, books, run.outcomes)).toEqual({ duplicated: [], unbilled: [], keys: [], users: [] })
  }, 90_000)

  test('PostgreSQL stopped and started again mid-load', async () => {
    const run = await campaign(postgres, 800, 2000, 2500)
    // The gateway must live through it (postgres.js once threw from a timer after its socket closed).
    if (gateway.process.exitCode !== null) console.log(gateway.log().slice(-3000))
    expect(gateway.process.exitCode).toBeNull()
    console.log('postgres fault:', JSON.stringify({ all: outcomeSummary(run.outcomes), during: outcomeSummary(run.during), after: outcomeSummary(run.after) }))
    expect(run.after.map((outcome) => outcome.status)).toEqual(Array(8).fill(200))
    // No SQL runs on a call's path: with Redis up, a database outage is invisible to clients, and the
    // charges journaled meanwhile reach the database once it is back, each logged once.
    expect(run.outcomes.filter((outcome) => outcome.status !== 200)).toEqual([])
    expect(await settledBooks(gateway, books, run.outcomes)).toEqual({ duplicated: [], unbilled: [], keys: [], users: [] })
  }, 90_000)
})
