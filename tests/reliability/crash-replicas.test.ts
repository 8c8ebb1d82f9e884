import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Redis from 'ioredis'
import postgres from 'postgres'
import { HEARTBEAT_SWEEP_MS, HEARTBEAT_TTL_MS } from '../../core/billing/redis-balance-store.ts'
import { chatCall, keepCalling, type ChatOutcome } from '../support/chat-load.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { freshPostgresDatabase, gatewayEnv, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts'
import { loggedCharges, spentBy, unbalancedRequests } from '../support/logged-charges.ts'
import { LONG_CAMPAIGN, reportCampaign } from './campaign-report.ts'

// Issue 14 item 1, two replicas: A and B share one PostgreSQL and one Redis under mixed load (streams and
// plain answers, six keys of three users, 48 clients); A is SIGKILLed at a random moment several times and
// restarted, B keeps serving throughout. Afterwards, for every key and user, funding − balance = Σ logged
// costs; every answer received complete is billed and logged exactly once; the holds A's dead processes
// left in Redis are given back by the leased sweeper within the heartbeat timeout plus one sweep, with a
// `system` log row naming exactly the units each dead process held; and Redis ends with nothing held.
// The embedded and single-PostgreSQL cases are tests/e2e/crash-billing.test.ts (their holds live in the
// process and die with it, so nothing can stay held there).

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL
const ADMIN = 'crash-replicas-admin-0123456789'
const KEYS = 6
const FUNDING = 1_000_000_000
const CLIENTS = 48
const ROUNDS = LONG_CAMPAIGN ? 10 : 3
/** A dead process's holds are gone within its heartbeat's timeout plus one sweep (and 2 s of slack for a loaded machine). */
const RELEASE_BOUND_MS = HEARTBEAT_TTL_MS + HEARTBEAT_SWEEP_MS + 2_000

/** A call's outcome, the replica that served it, the key that made it and when it ended. */
type Outcome = ChatOutcome & { replica: 0 | 1; key: number; at: number }

describe.skipIf(!databaseUrl || !redisUrl)('crash campaign: one of two replicas SIGKILLed under load, the other serving', () => {
  let fake: FakeOpenAI | undefined
  const gateways: Array<GatewayProcess | undefined> = [undefined, undefined]
  let database: { url: string; drop(): Promise<void> } | undefined
  let sql: postgres.Sql | undefined
  let redis: Redis | undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-crash-replicas-'))
  afterAll(async () => {
    for (const gateway of gateways) gateway?.process.kill('SIGKILL')
    await Promise.all(gateways.map((gateway) => gateway?.process.exited))
    await sql?.end()
    redis?.disconnect()
    await fake?.stop()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test(
    'books reconcile per key and user, complete answers are billed once, dead replicas’ holds are released with a system row',
    async () => {
      const started = Date.now()
      // Streams take ~0.5 s (a pause between chunks), so every kill finds calls of A holding funds.
      fake = await startFakeOpenAI({ scenario: { kind: 'stream-gap', gapMs: 25 } })
      database = await freshPostgresDatabase(databaseUrl!, 'crashrep')
      sql = postgres(database.url, { max: 1, onnotice: () => {} })
      redis = new Redis(redisUrl!, { lazyConnect: false, maxRetriesPerRequest: 2 })
      const env = gatewayEnv({
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl!,
        ROOT_ACCESS_TOKEN: ADMIN,
        CRYPTO_SECRET: 'crash-replicas-crypto-0123456789',
        SESSION_SECRET: 'crash-replicas-session-0123456789',
      })
      gateways[1] = await startGatewayProcess(env)
      gateways[0] = await startGatewayProcess(env)
      const survivor = gateways[1]!
      await survivor.admin(ADMIN, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
      const keys: Array<{ id: number; key: string; userId: number }> = []
      for (let index = 0; index < KEYS; index++) {
        const userId =
          index % 2 === 0
            ? (
                await survivor.admin<{ id: number }>(ADMIN, 'POST', '/api/users', {
                  username: `crashrep-${index}`,
                  password: 'password-123',
                  quota: 2 * FUNDING,
                })
              ).id
            : keys[index - 1]!.userId
        keys.push({
          ...(await survivor.admin<{ id: number; key: string }>(ADMIN, 'POST', '/api/tokens', { name: `crashrep-${index}`, userId, quota: FUNDING })),
          userId,
        })
      }
      const [namespaceRow] = await sql<Array<{ value: string }>>`select value from ledger_state where name = 'namespace'`
      const prefix = `hanggent:ledger:${namespaceRow!.value}:`

      /** Every holds hash in this deployment's ledger: replica id → hold id → "user|token|amount". */
      async function holdsByReplica(): Promise<Map<string, Record<string, string>>> {
        const found = new Map<string, Record<string, string>>()
        let cursor = '0'
        do {
          const [next, keysFound] = await redis!.scan(cursor, 'MATCH', `${prefix}holds:*`, 'COUNT', 500)
          cursor = next
          for (const key of keysFound) found.set(key.slice(`${prefix}holds:`.length), await redis!.hgetall(key))
        } while (cursor !== '0')
        return found
      }

      const outcomes: Outcome[] = []
      /** Units the killed processes still held right after each kill, per replica id. */
      const orphaned = new Map<string, number>()
      const kills: number[] = []
      let next = 0
      for (let round = 0; round < ROUNDS; round++) {
        const stop = { now: false }
        const running = keepCalling(
          CLIENTS,
          () => stop.now,
          async (index, client) => {
            const replica = (client % 2) as 0 | 1
            const key = index % KEYS
            const result = await chatCall(gateways[replica]!.url, keys[key]!.key, index, index % 2 === 0)
            outcomes.push({ replica, key, ...result, at: Date.now() })
            // Clients of the dead replica stop at its first refused connection; B's go on.
            return !(replica === 0 && !result.complete && gateways[0]?.process.killed)
          },
          next,
        ).then((unused) => {
          next = unused
        })
        await Bun.sleep(300 + Math.floor(Math.random() * 700))
        gateways[0]!.process.kill('SIGKILL')
        await gateways[0]!.process.exited
        kills.push(Date.now())
        // B serves on alone for a while, then the load stops and B's own holds settle.
        await Bun.sleep(400)
        stop.now = true
        await running
        await Bun.sleep(200)
        // B's holds are all settled now; what is left belongs to killed processes (it cannot change until swept).
        const survivorId = `:${survivor.process.pid}:`
        for (const [replica, holds] of await holdsByReplica()) {
          if (replica.includes(survivorId)) continue
          orphaned.set(
            replica,
            Object.values(holds).reduce((sum, hold) => sum + Number(hold.split('|')[2]), 0),
          )
        }
        gateways[0] = await startGatewayProcess(env)
      }

      const complete = outcomes.filter((outcome) => outcome.complete)
      const onB = outcomes.filter((outcome) => outcome.replica === 1)
      // The kills landed under load, and B answered every call it got, also while A was down.
      expect(complete.length).toBeGreaterThan(ROUNDS * 20)
      expect(outcomes.filter((outcome) => outcome.replica === 0 && !outcome.complete).length).toBeGreaterThan(0)
      expect(onB.filter((outcome) => !outcome.complete)).toEqual([])
      const servedWhileDown = onB.filter((outcome) => kills.some((kill) => outcome.at > kill && outcome.at < kill + 400)).length
      expect(servedWhileDown).toBeGreaterThan(0)
      expect(orphaned.size).toBeGreaterThan(0)

      // The sweeper gives the dead processes' holds back within the heartbeat timeout plus one sweep.
      const lastKill = kills[kills.length - 1]!
      let left = await holdsByReplica()
      while (left.size > 0 && Date.now() - lastKill < RELEASE_BOUND_MS + 5_000) {
        await Bun.sleep(250)
        left = await holdsByReplica()
      }
      const releasedAfterMs = Date.now() - lastKill
      expect([...left.keys()]).toEqual([])
      expect(releasedAfterMs).toBeLessThan(RELEASE_BOUND_MS)

      // Right after a sweep (the one that just emptied the holds), a hold of a process that is already gone
      // (no heartbeat key) waits one sweep interval, not a whole heartbeat timeout.
      const ghost = { replica: 'ghost-replica:1:crash', holdId: 'ghost-hold', units: 1234 }
      await redis
        .multi()
        .hincrby(`${prefix}a:u:${keys[0]!.userId}`, 'h', ghost.units)
        .hincrby(`${prefix}a:t:${keys[0]!.id}`, 'h', ghost.units)
        .hset(`${prefix}holds:${ghost.replica}`, ghost.holdId, `${keys[0]!.userId}|${keys[0]!.id}|${ghost.units}`)
        .exec()
      orphaned.set(ghost.replica, ghost.units)
      const planted = Date.now()
      while ((await redis.exists(`${prefix}holds:${ghost.replica}`)) === 1 && Date.now() - planted < HEARTBEAT_TTL_MS + 2_000) await Bun.sleep(100)
      const ghostReleasedAfterMs = Date.now() - planted
      expect(ghostReleasedAfterMs).toBeLessThan(HEARTBEAT_SWEEP_MS + 1_500)

      // One system row per dead process, naming exactly the units it held.
      // The rows travel by group commit, so the last sweep's row may reach the database a moment after its holds left Redis.
      const logsDb = sql
      const releasedRows = async () => {
        const systemRows = await logsDb<Array<{ content: string; details: { replica: string; holds: number; units: number } }>>`
        select content, details from logs where type = 'system' and content like 'released %'`
        return new Map(systemRows.map((row) => [row.details.replica, row.details.units]))
      }
      let released = await releasedRows()
      for (const waitUntil = Date.now() + 10_000; released.size < orphaned.size && Date.now() < waitUntil; released = await releasedRows()) await Bun.sleep(100)
      expect(released).toEqual(orphaned)

      // Books: every complete answer logged once; funding − balance = Σ logged, per key and per user.
      const logged = await loggedCharges(survivor.url, ADMIN)
      const { duplicated, unbilled } = unbalancedRequests(logged, complete)
      expect(duplicated).toEqual([])
      expect(unbilled).toEqual([])
      let discrepancy = 0
      for (const [index, entry] of keys.entries()) {
        const token = await survivor.admin<{ remainQuota: number; usedQuota: number }>(ADMIN, 'GET', `/api/tokens/${entry.id}`)
        const spent = spentBy(logged, (row) => row.tokenId === entry.id)
        discrepancy += Math.abs(FUNDING - token.remainQuota - spent)
        expect({ key: index, spent: FUNDING - token.remainQuota, used: token.usedQuota }).toEqual({ key: index, spent, used: spent })
        // What the ledger in Redis lets the key spend: the database balance, nothing pending, nothing held.
        const [b, p, h] = await redis.hmget(`${prefix}a:t:${entry.id}`, 'b', 'p', 'h')
        expect({ key: index, spendable: Number(b) - Number(p ?? 0) - Number(h ?? 0), held: Number(h ?? 0) }).toEqual({
          key: index,
          spendable: FUNDING - spent,
          held: 0,
        })
      }
      for (const userId of new Set(keys.map((entry) => entry.userId))) {
        const user = await survivor.admin<{ quota: number }>(ADMIN, 'GET', `/api/users/${userId}`)
        const spent = spentBy(logged, (row) => row.userId === userId)
        discrepancy += Math.abs(2 * FUNDING - user.quota - spent)
        expect({ userId, spent: 2 * FUNDING - user.quota }).toEqual({ userId, spent })
        const [h] = await redis.hmget(`${prefix}a:u:${userId}`, 'h')
        expect({ userId, held: Number(h ?? 0) }).toEqual({ userId, held: 0 })
      }

      if (process.env.CHAOS_VERBOSE) console.log({ releasedAfterMs, ghostReleasedAfterMs, orphaned, calls: outcomes.length, complete: complete.length })
      reportCampaign({
        campaign: 'crash',
        probes: outcomes.length,
        failures: onB.filter((outcome) => !outcome.complete).length,
        moneyDiscrepancyUnits: discrepancy,
        rows: [
          `two replicas, ${ROUNDS} SIGKILLs of one: ${outcomes.length} calls, ${complete.length} complete (all billed once), ${onB.length} on the survivor (all complete)`,
          `holds of ${orphaned.size - 1} killed processes and 1 planted (${[...orphaned.values()].reduce((a, b) => a + b, 0)} units) released ${releasedAfterMs} ms after the last kill (a planted one ${ghostReleasedAfterMs} ms after the previous sweep), one system row each`,
          `campaign time ${Math.round((Date.now() - started) / 1000)} s`,
        ],
      })
    },
    LONG_CAMPAIGN ? 900_000 : 120_000,
  )
})
