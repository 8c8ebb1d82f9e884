import { join } from 'node:path'
import { inArray, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client.ts'
import { tokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { LogEntry, LogWriter } from '../jobs/log-writer.ts'
import { payerAccounts, type AccountKey, type BalanceStore, type Payer, type Reservation, type StoredBalance } from './balance-store.ts'
import { memoryJournal, openFileJournal } from './file-journal.ts'
import { moneyWithUnits } from './money-text.ts'
import { encodeJournalEntry } from './journal-codec.ts'
import { createMemoryBalanceStore } from './memory-balance-store.ts'

// The quota ledger: reserve → settle → refund, exact in integer units, with no SQL on a call's path.
// Balances live in a BalanceStore (this process, or Redis with replicas); each settled charge is made
// durable in a journal (a local file, or a Redis stream) before the client receives the end of its
// answer, and reaches the database in group commits together with its usage row (core/jobs/log-writer).
//
// Rule for every other writer of a balance (admin changes, redemptions, top-ups, imports): write the
// row in the database with `balance_version = balance_version + 1`, then hand the returned quota and
// version to `adopt`. Never write users.quota or tokens.remain_quota in any other way.

export type { Payer, Reservation } from './balance-store.ts'

/** Reserve → settle → refund, exact in integer units, never letting a balance go below zero. */
export interface QuotaLedger {
  /**
   * Holds up to `estimate` units (less when the balance is smaller), refusing with 403 when the
   * balance cannot cover `minimum` (the part of the cost that is certain: the prompt).
   */
  reserve(payer: Payer, estimate: number, minimum: number): Promise<Reservation>
  /**
   * Charges the actual cost (the hold, plus beyond it as far as the balance goes) and journals it
   * with its usage row; resolves once the charge is durable. Returns the units charged.
   */
  settle(reservation: Reservation, actual: number, log: LogEntry): Promise<number>
  /** Returns the whole reservation (failed call). */
  refund(reservation: Reservation): Promise<void>
  /** What the payer could spend when last seen, without I/O (undefined when unknown): lets a rich payer skip exact estimates. */
  spendableHint(payer: Payer): number | undefined
  /** What the payer can spend now, loading its accounts first if needed; undefined when one no longer exists. */
  spendable(payer: Payer): Promise<number | undefined>
  /** Takes note of balances written straight to the database, with the versions the writes returned. */
  adopt(rows: Array<{ key: AccountKey; quota: number; version: number }>): Promise<void>
  /** Resolves once every charge this process journaled so far is in the database. */
  sync(): Promise<void>
  /** Stops background work and closes the journal (after the log writer's last flush). */
  close(): Promise<void>
}

/** What the ledger is built from. */
export interface LedgerOptions {
  db: Db
  writer: LogWriter
  /** DATA_DIR; `memory://` keeps no journal file. */
  dataDir: string
  /** Process log. */
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void
}

/** Reads balances of the given accounts from the database; accounts whose row is gone are absent. */
export async function readBalances(db: Db, keys: Iterable<AccountKey>): Promise<Map<AccountKey, StoredBalance>> {
  const userIds: number[] = []
  const tokenIds: number[] = []
  for (const key of keys) (key.startsWith('u:') ? userIds : tokenIds).push(Number(key.slice(2)))
  const found = new Map<AccountKey, StoredBalance>()
  if (userIds.length > 0) {
    for (const row of await db.select({ id: users.id, quota: users.quota, version: users.balanceVersion }).from(users).where(inArray(users.id, userIds))) {
      found.set(`u:${row.id}`, { quota: row.quota, version: row.version })
    }
  }
  if (tokenIds.length > 0) {
    for (const row of await db
      .select({ id: tokens.id, quota: tokens.remainQuota, version: tokens.balanceVersion })
      .from(tokens)
      .where(inArray(tokens.id, tokenIds))) {
      found.set(`t:${row.id}`, { quota: row.quota, version: row.version })
    }
  }
  return found
}

/** A journal cursor from ledger_state, or null when none was written yet. */
export async function readCursor(db: Db, name: string): Promise<string | null> {
  const [row] = queryRows<{ value: string }>(await db.execute(sql`select value from ledger_state where name = ${name}`))
  return row?.value ?? null
}

/** The reserve/settle/refund side shared by every store: loading accounts on first use, errors in words. */
export function ledgerOver(db: Db, store: BalanceStore, extra: Pick<QuotaLedger, 'sync' | 'close'>): QuotaLedger {
  const loading = new Map<AccountKey, Promise<void>>()

  /** Loads accounts from the database, once per account however many calls wait for it. */
  async function load(keys: AccountKey[]) {
    const todo = keys.filter((key) => !loading.has(key))
    if (todo.length > 0) {
      const pending = readBalances(db, todo).then((found) => store.adopt(found))
      for (const key of todo) loading.set(key, pending)
      void pending
        .catch(() => undefined)
        .finally(() => {
          for (const key of todo) if (loading.get(key) === pending) loading.delete(key)
        })
    }
    await Promise.all(keys.map((key) => loading.get(key)))
  }

  return {
    async reserve(payer, estimate, minimum) {
      const floor = Math.max(1, minimum)
      let outcome = await store.reserve(payer, estimate, floor)
      if (outcome.kind === 'unknown') {
        await load(outcome.accounts)
        outcome = await store.reserve(payer, estimate, floor)
      }
      if (outcome.kind === 'unknown')
        throw new GatewayError(401, 'invalid_api_key', payer.tokenId === null ? 'This account no longer exists' : 'This API key or its owner no longer exists')
      if (outcome.kind === 'refused') {
        throw new GatewayError(
          403,
          'insufficient_quota',
          `Insufficient quota: this ${outcome.whose} has ${moneyWithUnits(outcome.available)} left and the request needs at least ${moneyWithUnits(floor, 'up')}`,
        )
      }
      return outcome.reservation
    },
    async settle(reservation, actual, log) {
      const entry = await store.settle(reservation, actual, { log })
      return entry.charged
    },
    refund: (reservation) => store.refund(reservation),
    spendableHint: (payer) => store.spendableHint(payer),
    async spendable(payer) {
      const now = await store.peek(payer)
      if (now !== undefined) return now
      const keys = payerAccounts(payer)
      await load(keys.token ? [keys.user, keys.token] : [keys.user])
      return store.peek(payer)
    },
    async adopt(rows) {
      await store.adopt(new Map(rows.map((row) => [row.key, { quota: row.quota, version: row.version }])))
    },
    ...extra,
  }
}

/**
 * The ledger of a single process (embedded PGlite, or PostgreSQL without Redis): balances in memory,
 * charges journaled to DATA_DIR/ledger. Charges a previous run journaled but did not commit are
 * committed before this returns, so nothing is served on a stale balance.
 */
export async function createLocalLedger(options: LedgerOptions): Promise<QuotaLedger> {
  const { db, writer } = options
  const inMemory = options.dataDir === 'memory://'
  const cursorName = 'journal:file'
  const applied = inMemory ? 0 : Number((await readCursor(db, cursorName)) ?? 0)
  const opened = inMemory
    ? { journal: memoryJournal(), recovered: [] }
    : openFileJournal(join(options.dataDir, 'ledger'), applied, (error) =>
        options.log('error', 'charge journal write or sync failed', { error: String(error) }),
      )
  const { journal } = opened
  const sink = { cursorName: journal.cursorName, guarded: false, committed: (...args: Parameters<typeof store.committed>) => store.committed(...args) }
  const store = createMemoryBalanceStore(journal, (entry) => writer.commitCharges(sink, [entry]))
  const unapplied = opened.recovered.filter((entry) => Number(entry.position) > applied)
  if (unapplied.length > 0) {
    writer.commitCharges(
      sink,
      unapplied.map((entry) => ({ position: entry.position, payer: entry.payer, charged: entry.charged, line: encodeJournalEntry(entry) })),
    )
    await writer.flush()
    if (writer.backlog() > 0) throw new Error(`Could not write the ${unapplied.length} charges the last run journaled to the database; see the log above`)
    const units = unapplied.reduce((sum, entry) => sum + entry.charged, 0)
    options.log('warn', 'committed charges journaled before an unclean stop', { charges: unapplied.length, units })
    writer.write({
      type: 'system',
      content: `${unapplied.length} charges (${units} units) journaled before an unclean stop were written on start-up`,
      details: { charges: unapplied.length, units, firstPosition: unapplied[0]!.position, lastPosition: unapplied[unapplied.length - 1]!.position },
    })
  } else if (opened.recovered.length > 0) {
    journal.release(opened.recovered[opened.recovered.length - 1]!.position)
  }
  return ledgerOver(db, store, {
    sync: () => writer.flush(),
    close: () => store.close(),
  })
}
