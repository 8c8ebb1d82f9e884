import type { LogEntry } from '../jobs/log-writer.ts'

// The quota ledger keeps each payer's spendable balance where the relay can reach it without SQL:
// in this process (embedded mode) or in Redis (replicas). The database stays the record: a balance
// there changes only by committed journal entries (charges) or by a direct write that raises the
// row's `balance_version` (admin changes, redemptions), which the store then adopts.
//
// Per account the store keeps `base` (the database balance as of `version`), `pending` (charges
// journaled but not yet committed) and `held` (reservations of calls in flight). What a call may
// spend is `base − pending − held`. A committed batch lowers `base` and `pending` together, so the
// spendable amount does not move when the database catches up.

/** Who pays for a call: the user always, the token too unless it is unlimited. */
export interface Payer {
  /** User id. */
  userId: number
  /** Token id; null when the call used no relay key (the dashboard playground bills the user alone). */
  tokenId: number | null
  /** Unlimited tokens draw only on the user's quota. */
  unlimited: boolean
}

/** Funds held for one call until it settles or is refunded. */
export interface Reservation {
  /** Who pays. */
  payer: Payer
  /** Units held. */
  amount: number
  /** Identifies the hold, so a store that outlives this process can release it if the process dies. */
  id: string
}

/** An account of the ledger: a user's quota or a token's remaining quota. */
export type AccountKey = `u:${number}` | `t:${number}`

/** A balance as read from (or written to) the database, with the row's version. */
export interface StoredBalance {
  /** Units in the row. */
  quota: number
  /** The row's balance_version; a higher one is newer. */
  version: number
}

/** What a reservation attempt found. */
export type ReserveOutcome =
  | { kind: 'held'; reservation: Reservation }
  | { kind: 'refused'; available: number; whose: 'account' | 'API key' }
  | { kind: 'unknown'; accounts: AccountKey[] }

/** A usage row plus the charge it records, before it is journaled. */
export interface ChargeDraft {
  /** The usage log row; `quota` and the charged figures in `details` are filled in from the charge. */
  log: LogEntry
}

/** One settled call's money movement and usage row, journaled before the client sees its answer. */
export interface JournalEntry {
  /** Position in its journal (a sequence number, or a Redis stream id); entries commit in this order. */
  position: string
  /** Who paid. */
  payer: Payer
  /** Units taken from the balance. */
  charged: number
  /** The usage row, written in the same transaction as the balance change. */
  log: LogEntry
}

/** A journaled charge on its way to the database: the journal line carries the usage row, already encoded. */
export interface JournaledCharge {
  /** Position in its journal. */
  position: string
  /** Who paid. */
  payer: Payer
  /** Units taken from the balance. */
  charged: number
  /** The entry as one journal line (journal-codec.ts). */
  line: string
  /** The same line as the journal wrote it, in UTF-8 and ending in '\n', when it has the bytes at hand (the file journal). */
  bytes?: Uint8Array
  /** Set on a charge journaled again after Redis lost it: the position it first had (it may have reached the database then). */
  replayOf?: string
}

/** Units each account's pending charges fall by once these charges are in the database. */
export function chargedAccounts(charges: Iterable<Pick<JournaledCharge, 'payer' | 'charged'>>): Map<AccountKey, number> {
  const accounts = new Map<AccountKey, number>()
  for (const { payer, charged } of charges) {
    const keys = payerAccounts(payer)
    accounts.set(keys.user, (accounts.get(keys.user) ?? 0) + charged)
    if (keys.token) accounts.set(keys.token, (accounts.get(keys.token) ?? 0) + charged)
  }
  return accounts
}

/** What a committed batch did to one account: the charge it applied and the row it left. */
export interface CommittedAccount {
  /** The account. */
  key: AccountKey
  /** Units of pending charges the batch moved into the database. */
  charged: number
  /** The row after the batch, when the account still exists. */
  stored?: StoredBalance
}

/** The spendable-balance cache of the ledger, in memory or in Redis. */
export interface BalanceStore {
  /** Holds up to `estimate` units when the payer can spend at least `floor`; `unknown` when an account is not loaded yet. */
  reserve(payer: Payer, estimate: number, floor: number): Promise<ReserveOutcome>
  /**
   * Releases the hold, charges `actual` (beyond the hold only as far as the balance goes), and makes
   * the charge durable with its usage row before resolving. Returns the entry it journaled.
   */
  settle(reservation: Reservation, actual: number, draft: ChargeDraft): Promise<JournaledCharge>
  /** Returns a hold untouched (failed call). */
  refund(reservation: Reservation): Promise<void>
  /** What the payer could spend when last seen, without I/O; undefined when not known (recently). */
  spendableHint(payer: Payer): number | undefined
  /** What the payer can spend now, read from the store; undefined when an account is not loaded. */
  peek(payer: Payer): Promise<number | undefined>
  /** Loads accounts read from the database; an account already known keeps its state unless the row is newer. */
  adopt(balances: Map<AccountKey, StoredBalance>): Promise<void>
  /** Frees resources. */
  close(): Promise<void>
}

/** The account keys a payer draws on: the user, and the token unless it is unlimited or absent. */
export function payerAccounts(payer: Payer): { user: AccountKey; token?: AccountKey } {
  const user: AccountKey = `u:${payer.userId}`
  return payer.unlimited || payer.tokenId === null ? { user } : { user, token: `t:${payer.tokenId}` }
}

/** Fills the charged figures into a usage row, in place (the row is the caller's own): it records what was actually taken. */
export function chargedLog(log: LogEntry, charged: number): LogEntry {
  log.quota = charged
  const details = log.details
  if (details && typeof details.priced === 'number') {
    details.charged = charged
    details.shortfall = details.priced - charged
  }
  return log
}
