import { hostname } from 'node:os'
import { inArray, sql } from 'drizzle-orm'
import type Redis from 'ioredis'
import { connectRedis, closeRedis } from '../cache/redis-connection.ts'
import { queryRows, type Db } from '../db/client.ts'
import { logs } from '../db/schema.ts'
import type { LeaseManager } from '../jobs/lease.ts'
import { runLeasedJob, type LeasedJob } from '../jobs/leased-job.ts'
import type { JournalSink } from '../jobs/log-writer.ts'
import { randomKey } from '../security/crypto.ts'
import { chargedAccounts, type CommittedAccount, type JournaledCharge } from './balance-store.ts'
import { decodeJournalEntry } from './journal-codec.ts'
import { ledgerOver, readBalances, readCursor, type LedgerOptions, type QuotaLedger } from './ledger.ts'
import { createRedisBalanceStore, HEARTBEAT_SWEEP_MS, streamIdAfter, type RedisBalanceStore } from './redis-balance-store.ts'

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
/** How often the committer asks whether Redis restarted (its run id changed). */
const RUN_CHECK_MS = 1000

/** Waits for `promise`, or less when `signal` aborts first. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const stop = () => resolve()
    signal.addEventListener('abort', stop, { once: true })
    void promise.then(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    })
  })
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

/** What identifies a charge's usage row: its type, payer, request id and time (a request may log several rows, at different times). */
function rowIdentity(type: string, userId: number | null, requestId: string, createdAt: Date): string {
  return `${type}|${userId ?? ''}|${requestId}|${createdAt.getTime()}`
}

/**
 * The charges journaled again after Redis lost them (`replayOf`) whose original had reached the database
 * before: their usage row is there. Rows without a request id cannot be matched and are written.
 */
async function replaysInDatabase(db: Db, replays: JournaledCharge[]): Promise<Set<JournaledCharge>> {
  const wanted = new Map<string, JournaledCharge>()
  for (const charge of replays) {
    const log = decodeJournalEntry(charge.line)?.log
    if (!log?.requestId || !(log.createdAt instanceof Date)) continue
    wanted.set(rowIdentity(log.type, charge.payer.userId, log.requestId, log.createdAt), charge)
  }
  const found = new Set<JournaledCharge>()
  if (wanted.size === 0) return found
  const requestIds = [...new Set([...wanted.values()].map((charge) => decodeJournalEntry(charge.line)?.log.requestId as string))]
  const rows = await db
    .select({ type: logs.type, userId: logs.userId, requestId: logs.requestId, createdAt: logs.createdAt })
    .from(logs)
    .where(inArray(logs.requestId, requestIds))
  for (const row of rows) {
    const charge = row.requestId ? wanted.get(rowIdentity(row.type, row.userId, row.requestId, row.createdAt)) : undefined
    if (charge) found.add(charge)
  }
  return found
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
  // The reserve and settle of a call alone in flight (see RedisBalanceStoreOptions.soloClient).
  const soloClient = await connectRedis(options.redisUrl, onError, {
    connectionName: `hanggent:ledger-solo:${replicaId}`,
    enableAutoPipelining: false,
    maxRetriesPerRequest: 2,
  })
  const blockingClients: Redis[] = []
  const store = createRedisBalanceStore({
    client,
    soloClient,
    prefix: `${options.prefix ?? 'hanggent:'}ledger:${namespace}:`,
    replicaId,
    onError,
    onHoldsReleased(released) {
      options.log('warn', 'released holds of calls that ended in writes Redis lost', released)
      writer.write({
        type: 'system',
        content: `released ${released.units} units held by ${released.holds} calls of replica ${released.replica} that had ended in writes Redis lost when it restarted`,
        details: released,
      })
    },
    onChargesReplayed(replayed) {
      options.log('warn', 'journaled again the charges Redis lost when it restarted', replayed)
    },
    blockingClient: () => {
      const blocking = client.duplicate({ connectionName: `hanggent:ledger-reader:${replicaId}`, enableAutoPipelining: false })
      blocking.on('error', onError)
      blockingClients.push(blocking)
      return blocking
    },
  })
  let leading = false

  /**
   * Once per Redis start (its run id), under the committer's lease: Redis may have come back from its
   * AOF or snapshot without its last writes (`appendfsync everysec` loses up to a second to a power cut;
   * no persistence loses everything). The database is the source of truth: with everything this
   * committer had read written, each account's uncommitted charges are summed again from the journal
   * entries after the database's cursor, and its balance and version are taken from the database again.
   * Without this, charges committed in the lost second stayed counted as pending (money nobody could
   * spend), and balances charged then stayed at their older, higher figure (money invented).
   */
  async function rebuildAfterRestart(): Promise<void> {
    const run = await store.runId()
    const rebuilt = await store.rebuiltRun()
    if (run === '' || rebuilt === run) return
    await writer.flush()
    const committed = await readCursor(db, CURSOR)
    let accounts = 0
    for await (const batch of store.loadedAccounts()) {
      await store.rebuildPending(batch, committed)
      await store.adopt(await readBalances(db, batch))
      accounts += batch.length
    }
    await store.markRebuilt(run)
    if (rebuilt === null) return
    options.log('warn', 'Redis restarted: balances rebuilt from the database', { run, accounts, committed })
    writer.write({
      type: 'system',
      content: `Redis restarted (run ${run}): the balances of ${accounts} accounts were rebuilt from the database and the charges journaled after it`,
      details: { run, accounts, committed },
    })
  }

  /**
   * The entries to commit: a charge journaled again after Redis lost it is left out (and taken out of
   * Redis) when its original had reached the database, checked once everything read before it is written.
   */
  async function withoutCommittedReplays(sink: JournalSink, entries: JournaledCharge[]): Promise<JournaledCharge[]> {
    const replays = entries.filter((entry) => entry.replayOf !== undefined)
    if (replays.length === 0) return entries
    writer.commitCharges(sink, entries.slice(0, entries.indexOf(replays[0]!)))
    await writer.flush()
    const committed = await replaysInDatabase(db, replays)
    for (const charge of committed) await store.forgetReplay(charge)
    const kept = replays.length - committed.size
    options.log('warn', 'charges Redis lost, journaled again by their replicas', { charges: replays.length, alreadyInDatabase: committed.size, written: kept })
    return entries.slice(entries.indexOf(replays[0]!)).filter((entry) => !committed.has(entry))
  }

  /** Commits the journal while this replica holds the lease. */
  async function commitWhileLeading(signal: AbortSignal) {
    const committed = await readCursor(db, CURSOR)
    await catchUp(db, store, committed)
    writer.setCursor(committed)
    await rebuildAfterRestart()
    let checkedAt = Date.now()
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
        if (Date.now() - checkedAt >= RUN_CHECK_MS) {
          checkedAt = Date.now()
          await rebuildAfterRestart()
        }
        if (writer.backlog() > MAX_BACKLOG) {
          await writer.flush()
          continue
        }
        const read = await store.readAfter(position, 2000, 100)
        if (read.length === 0) continue
        position = read[read.length - 1]!.position
        const entries = await withoutCommittedReplays(sink, read)
        if (entries.length === 0) continue
        writer.commitCharges(sink, entries)
        // The next read waits for this batch: charges settled meanwhile gather in the stream and travel in
        // one read, instead of waking this loop once per settled call (a lone call's biggest overhead).
        await untilAborted(writer.chargesDrained(), signal)
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
      await Promise.all([closeRedis(client), closeRedis(soloClient)])
    },
  })
}
