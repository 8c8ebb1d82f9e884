import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client.ts'
import { GatewayError } from '../errors.ts'

/** Who pays for a call: the user always, the token too unless it is unlimited. */
export interface Payer {
  /** User id. */
  userId: number
  /** Token id; null when the call used no relay key (the dashboard playground bills the user alone). */
  tokenId: number | null
  /** Unlimited tokens draw only on the user's quota. */
  unlimited: boolean
}

/** True when only the user's balance counts: an unlimited token, or no token at all. */
const userOnly = (payer: Payer) => payer.unlimited || payer.tokenId === null

/** Funds held for one call until it settles or is refunded. */
export interface Reservation {
  /** Who pays. */
  payer: Payer
  /** Units held. */
  amount: number
}

/** Reserve → settle → refund, exact in integer units, never letting a balance go below zero. */
export interface QuotaLedger {
  /**
   * Holds up to `estimate` units (less when the balance is smaller), refusing with 403 when the
   * balance cannot cover `minimum` (the part of the cost that is certain: the prompt).
   */
  reserve(payer: Payer, estimate: number, minimum: number): Promise<Reservation>
  /**
   * Charges the actual cost: returns the surplus of the reservation, or takes the shortfall from the
   * balance as far as it goes. Returns the units actually charged, which the usage log records.
   */
  settle(reservation: Reservation, actual: number): Promise<number>
  /** Returns the whole reservation (failed call). */
  refund(reservation: Reservation): Promise<void>
}

/**
 * Takes up to `wanted` units from user and token in ONE statement: the rows are locked user
 * first (the token lock waits on an uncorrelated EXISTS over the user lock, which PostgreSQL runs
 * before scanning tokens), so concurrent calls never deadlock; the amount is the smallest of what is wanted and
 * what both balances hold, and nothing moves unless both can give at least `floor`. One round trip
 * instead of a six-statement transaction: the ledger is on every request's path.
 */
async function take(db: Db, payer: Payer, wanted: number, floor: number, settling?: { reserved: number }): Promise<{ taken: number | null; user: number | null; token: number | null }> {
  const settles = settling !== undefined
  const reserved = settling?.reserved ?? 0
  const unlimited = userOnly(payer)
  // Without a token the join partner is one row of null, so the statement keeps its shape.
  const lockedToken = payer.tokenId === null
    ? sql`select null::bigint as remain_quota`
    : sql`select remain_quota from tokens where id = ${payer.tokenId} and exists (select 1 from locked_user) for update`
  const result = await db.execute(sql`
    with locked_user as (
      select quota from users where id = ${payer.userId} for update
    ), locked_token as (
      ${lockedToken}
    ), amount as (
      select least(${wanted}::bigint, u.quota, case when ${unlimited} then u.quota else t.remain_quota end) as value
      from locked_user u cross join locked_token t
      where least(u.quota, case when ${unlimited} then u.quota else t.remain_quota end) >= ${floor}::bigint
    ), updated_user as (
      update users set quota = quota - amount.value,
        used_quota = used_quota + case when ${settles} then ${reserved}::bigint + amount.value else 0 end,
        request_count = request_count + case when ${settles} then 1 else 0 end
      from amount where users.id = ${payer.userId} returning users.id
    ), updated_token as (
      update tokens set remain_quota = case when ${unlimited} then remain_quota else remain_quota - amount.value end,
        used_quota = used_quota + case when ${settles} then ${reserved}::bigint + amount.value else 0 end
      from amount where tokens.id = ${payer.tokenId} returning tokens.id
    )
    select (select value from amount) as taken, (select quota from locked_user) as user_quota, (select remain_quota from locked_token) as token_quota,
      (select count(*) from updated_user) + (select count(*) from updated_token) as touched`)
  const [row] = queryRows<{ taken: string | number | null; user_quota: string | number | null; token_quota: string | number | null }>(result)
  const number = (value: string | number | null | undefined) => (value === null || value === undefined ? null : Number(value))
  return { taken: number(row?.taken), user: number(row?.user_quota), token: number(row?.token_quota) }
}

/** Gives units back and records the charge, in one statement; user row first, as in `take`. Returns the new balances. */
async function giveBack(db: Db, payer: Payer, units: number, charged: number, countsAsRequest: boolean): Promise<{ user: number | null; token: number | null }> {
  const result = await db.execute(sql`
    with updated_user as (
      update users set quota = quota + ${units}::bigint, used_quota = used_quota + ${charged}::bigint, request_count = request_count + ${countsAsRequest ? 1 : 0}
      where id = ${payer.userId} returning quota
    ), updated_token as (
      update tokens set remain_quota = case when ${userOnly(payer)} then remain_quota else remain_quota + ${units}::bigint end, used_quota = used_quota + ${charged}::bigint
      where id = ${payer.tokenId} and exists (select 1 from updated_user) returning remain_quota
    )
    select (select quota from updated_user) as user_quota, (select remain_quota from updated_token) as token_quota`)
  const [row] = queryRows<{ user_quota: string | number | null; token_quota: string | number | null }>(result)
  return { user: row?.user_quota == null ? null : Number(row.user_quota), token: row?.token_quota == null ? null : Number(row.token_quota) }
}

/**
 * Trust threshold (as New API users know it): when the payer's last known balance covers this many
 * times the estimate, and at least TRUST_MIN_UNITS, the call skips the reservation and is charged
 * once at settlement — one statement per request instead of two. Settlement still never takes a
 * balance below zero, so a stale hint can at worst under-charge calls in flight when money runs out.
 */
const TRUST_MULTIPLE = 100
const TRUST_MIN_UNITS = 1_000_000
const HINT_TTL_MS = 10_000

/** Last known spendable balance of a payer, learned from the ledger's own statements. */
interface BalanceHint {
  available: number
  at: number
}

const payerKey = (payer: Payer) => `${payer.userId}:${payer.tokenId ?? '-'}:${payer.unlimited ? 1 : 0}`

/** What the payer can spend, or null when its user (or its token, when it has one) no longer exists. */
function spendable(payer: Payer, user: number | null, token: number | null): number | null {
  if (user === null) return null
  if (userOnly(payer)) return payer.tokenId === null || token !== null ? user : null
  return token === null ? null : Math.min(user, token)
}

/** The ledger on the database: row locks make it atomic across connections and replicas. */
export function createQuotaLedger(db: Db): QuotaLedger {
  const hints = new Map<string, BalanceHint>()
  const remember = (payer: Payer, available: number | null) => {
    if (available === null) hints.delete(payerKey(payer))
    else hints.set(payerKey(payer), { available, at: Date.now() })
  }

  /** A trusted call skips the reservation; the hint is lowered at once so a burst cannot ride on it. */
  function trusted(payer: Payer, estimate: number): boolean {
    const hint = hints.get(payerKey(payer))
    if (!hint || Date.now() - hint.at > HINT_TTL_MS || hint.available < Math.max(TRUST_MIN_UNITS, estimate * TRUST_MULTIPLE)) return false
    hint.available -= estimate
    return true
  }

  return {
    async reserve(payer, estimate, minimum) {
      if (estimate <= 0 || trusted(payer, estimate)) return { payer, amount: 0 }
      const floor = Math.max(1, minimum)
      const result = await take(db, payer, estimate, floor)
      const available = spendable(payer, result.user, result.token)
      if (available === null) throw new GatewayError(401, 'invalid_api_key', payer.tokenId === null ? 'This account no longer exists' : 'This API key or its owner no longer exists')
      if (result.taken === null) {
        remember(payer, available)
        const whose = !userOnly(payer) && result.token !== null && result.user !== null && result.token < result.user ? 'API key' : 'account'
        throw new GatewayError(403, 'insufficient_quota', `Insufficient quota: this ${whose} has ${Math.max(0, available)} units left and the request needs at least ${floor}`)
      }
      remember(payer, available - result.taken)
      return { payer, amount: result.taken }
    },

    async settle(reservation, actual) {
      const { payer, amount } = reservation
      if (actual <= amount) {
        const after = await giveBack(db, payer, amount - actual, actual, true)
        remember(payer, spendable(payer, after.user, after.token))
        return actual
      }
      const extra = await take(db, payer, actual - amount, 0, { reserved: amount })
      const taken = extra.taken ?? 0
      const left = spendable(payer, extra.user, extra.token)
      remember(payer, left === null ? null : left - taken)
      return amount + taken
    },

    async refund(reservation) {
      if (reservation.amount <= 0) return
      await giveBack(db, reservation.payer, reservation.amount, 0, false)
    },
  }
}
