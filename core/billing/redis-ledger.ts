import { hostname } from 'node:os'
import { sql } from 'drizzle-orm'
import type Redis from 'ioredis'
import { connectRedis, closeRedis } from '../cache/redis-connection.ts'
import { queryRows, type Db } from '../db/client.ts'
import type { LeaseManager } from '../jobs/lease.ts'
import { runLeasedJob, type LeasedJob } from '../jobs/leased-job.ts'
import type { JournalSink } from '../jobs/log-writer.ts'
import { randomKey } from '../security/crypto.ts'
import { chargedAccounts, type CommittedAccount } from './balance-store.ts'
import { ledgerOver, readBalances, readCursor, type LedgerOptions, type QuotaLedger } from './ledger.ts'
import { createRedisBalanceStore, HEARTBEAT_SWEEP_MS, type RedisBalanceStore } from './redis-balance-store.ts'

// The ledger of replicas: balances and the charge journal in Redis (see redis-balance-store.ts), one
// replica at a time committing the journal into the database under a lease. The cursor row in
// ledger_state moves in the same transaction as each batch, guarded by its previous value, so two
// committers can never both write the same charges; Redis learns a batch's effects right after, and a
// committer that starts re-applies what a predecessor committed but could not tell Redis.

const CURSOR = 'journal:redis'
/** A charge journaled by this replica reaches the database within about this long while a committer runs. */
const SYNC_TIMEOUT_MS = 10_000
/** The committer stops reading while this many charges wait for the database. */
const MAX_BACKLOG = 20_000

/** True when stream id `a` comes after `b`. */
export function streamIdAfter(a: string, b: string): boolean {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number]
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number]
  return aMs > bMs || (aMs === bMs && aSeq > bSeq)
}

/** The deployment's ledger namespace: Redis keys of another database (another deployment, a test) never mix with ours. */
async function ledgerNamespace(db: Db): Promise<string> {
  await db.execute(sql`insert into ledger_state (name, value) values ('namespace', ${randomKey(12)}) on conflict (name) do nothing`)
  const [row] = queryRows<{ value: string }>(await db.execute(sql`select value from ledger_state where name = 'namespace'`))
  if (!row) throw new Error('ledger namespace missing after insert')
  return row.value
}

/** What the Redis ledger needs beyond the local one. */
export interface RedisLedgerOptions extends LedgerOptions {
  redisUrl: string
  leases: LeaseManager
  /** Key prefix shared by the deployment's replicas (default `hanggent:`). */
  prefix?: string
}

/**
 * Re-applies to Redis the effects of batches committed in the database that Redis never heard of
 * (a committer that stopped between its transaction and its Redis update).
 */
async function catchUp(db: Db, store: RedisBalanceStore, committed: string | null): Promise<void> {
  if (committed === null) return
  const applied = await store.appliedPosition()
  if (applied !== null && !streamIdAfter(committed, applied)) return
  const charged = chargedAccounts(await store.range(applied, committed))
  const rows = await readBalances(db, charged.keys())
  const accounts: CommittedAccount[] = [...charged].map(([key, units]) => ({ key, charged: units, stored: rows.get(key) }))
  await store.committed(accounts, committed)
}

/** Builds the Redis ledger and starts its committer and orphaned-hold sweeper (each on one replica at a time). */
export async function createRedisLedger(options: RedisLedgerOptions): Promise<QuotaLedger> {
  const { db, writer } = options
  const namespace = await ledgerNamespace(db)
  const replicaId = `${hostname()}:${process.pid}:${randomKey(6)}`
  const onError = (error: unknown) => options.log('error', 'ledger Redis connection failed', { error: String(error) })
  const client = await connectRedis(options.redisUrl, onError, {
    connectionName: `hanggent:ledger:${replicaId}`,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 2,
  })
  const blockingClients: Redis[] = []
  const store = createRedisBalanceStore({
    client,
    prefix: `${options.prefix ?? 'hanggent:'}ledger:${namespace}:`,
    replicaId,
    onError,
    blockingClient: () => {
      const blocking = client.duplicate({ connectionName: `hanggent:ledger-reader:${replicaId}`, enableAutoPipelining: false })
      blocking.on('error', onError)
      blockingClients.push(blocking)
      return blocking
    },
  })
  let leading = false

  /** Commits the journal while this replica holds the lease. */
  async function commitWhileLeading(signal: AbortSignal) {
    const committed = await readCursor(db, CURSOR)
    await catchUp(db, store, committed)
    writer.setCursor(committed)
    let conflicted = false
    const sink: JournalSink = {
      cursorName: CURSOR,
      guarded: true,
      committed: (accounts, last) => store.committed(accounts, last),
      conflict: () => {
        conflicted = true
      },
    }
    leading = true
    let position = committed ?? '0-0'
    try {
      while (!signal.aborted && !conflicted) {
        if (writer.backlog() > MAX_BACKLOG) {
          await writer.flush()
          continue
        }
        const entries = await store.readAfter(position, 2000, 100)
        if (entries.length === 0) continue
        writer.commitCharges(sink, entries)
        position = entries[entries.length - 1]!.position
      }
      await writer.flush()
    } finally {
      leading = false
    }
  }

  const jobError = (error: unknown) => options.log('error', 'ledger committer failed', { error: String(error) })
  const jobs: LeasedJob[] = [
    runLeasedJob({ leases: options.leases, name: `ledger-commit:${namespace}`, intervalMs: 1000, ttlMs: 5000, run: commitWhileLeading, onError: jobError }),
    runLeasedJob({
      leases: options.leases,
      name: `ledger-holds:${namespace}`,
      // Sweeping at the heartbeat's own pace bounds a dead replica's holds to the timeout plus 5 s
      // (sweeping every HEARTBEAT_TTL_MS let them stay up to twice the timeout).
      intervalMs: HEARTBEAT_SWEEP_MS,
      onError: jobError,
      run: async () => {
        for (const swept of await store.releaseOrphanedHolds()) {
          options.log('warn', 'released the holds of a replica that stopped', swept)
          writer.write({
            type: 'system',
            content: `released ${swept.units} units held by ${swept.holds} calls of replica ${swept.replica}, which stopped without settling them`,
            details: swept,
          })
        }
      },
    }),
  ]

  return ledgerOver(db, store, {
    /** Waits until the database has every charge journaled (by any replica) before the call. */
    async sync() {
      const target = await store.tailPosition()
      if (!target) return
      if (leading) await writer.flush()
      const deadline = Date.now() + SYNC_TIMEOUT_MS
      for (;;) {
        const committed = await readCursor(db, CURSOR)
        if (committed !== null && !streamIdAfter(target, committed)) return
        if (Date.now() > deadline) {
          options.log('warn', 'charges not yet in the database; answering from it anyway', { waitedMs: SYNC_TIMEOUT_MS, position: target, committed })
          return
        }
        await Bun.sleep(5)
      }
    },
    async close() {
      await Promise.all(jobs.map((job) => job.stop()))
      await store.close()
      for (const blocking of blockingClients) blocking.disconnect()
      await closeRedis(client)
    },
  })
}
