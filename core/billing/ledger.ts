import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { tokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'

/** Who pays for a call: the user always, the token too unless it is unlimited. */
export interface Payer {
  /** User id. */
  userId: number
  /** Token id. */
  tokenId: number
  /** Unlimited tokens draw only on the user's quota. */
  unlimited: boolean
}

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

/** The ledger on the database: row locks make reservations atomic across connections and replicas. */
export function createQuotaLedger(db: Db): QuotaLedger {
  /** Locks the payer's rows (user first, always, so concurrent calls never deadlock) and reads balances. */
  async function lockBalances(tx: Db, payer: Payer): Promise<{ user: number; token: number }> {
    const [user] = await tx.select({ quota: users.quota }).from(users).where(eq(users.id, payer.userId)).for('update')
    if (!user) throw new GatewayError(401, 'invalid_api_key', 'The user owning this API key no longer exists')
    if (payer.unlimited) return { user: user.quota, token: Number.POSITIVE_INFINITY }
    const [token] = await tx.select({ remain: tokens.remainQuota }).from(tokens).where(eq(tokens.id, payer.tokenId)).for('update')
    if (!token) throw new GatewayError(401, 'invalid_api_key', 'This API key no longer exists')
    return { user: user.quota, token: token.remain }
  }

  /** Moves `delta` units from the payer's balances (negative delta gives units back). */
  async function adjust(tx: Db, payer: Payer, delta: number, charged: number, settles: boolean): Promise<void> {
    await tx.update(users).set({
      quota: sql`${users.quota} - ${delta}`,
      usedQuota: sql`${users.usedQuota} + ${charged}`,
      requestCount: sql`${users.requestCount} + ${settles ? 1 : 0}`,
    }).where(eq(users.id, payer.userId))
    await tx.update(tokens).set({
      remainQuota: payer.unlimited ? tokens.remainQuota : sql`${tokens.remainQuota} - ${delta}`,
      usedQuota: sql`${tokens.usedQuota} + ${charged}`,
    }).where(eq(tokens.id, payer.tokenId))
  }

  return {
    async reserve(payer, estimate, minimum) {
      if (estimate <= 0) return { payer, amount: 0 }
      return db.transaction(async (tx) => {
        const balances = await lockBalances(tx as unknown as Db, payer)
        const available = Math.min(balances.user, balances.token)
        if (available < Math.max(1, minimum)) {
          const whose = balances.token < balances.user ? 'API key' : 'account'
          throw new GatewayError(403, 'insufficient_quota', `Insufficient quota: this ${whose} has ${Math.max(0, available)} units left and the request needs at least ${Math.max(1, minimum)}`)
        }
        const amount = Math.min(estimate, available)
        await adjust(tx as unknown as Db, payer, amount, 0, false)
        return { payer, amount }
      })
    },

    async settle(reservation, actual) {
      const { payer, amount } = reservation
      if (actual <= amount) {
        await db.transaction(async (tx) => adjust(tx as unknown as Db, payer, actual - amount, actual, true))
        return actual
      }
      return db.transaction(async (tx) => {
        const balances = await lockBalances(tx as unknown as Db, payer)
        const extra = Math.max(0, Math.min(actual - amount, balances.user, balances.token))
        await adjust(tx as unknown as Db, payer, extra, amount + extra, true)
        return amount + extra
      })
    },

    async refund(reservation) {
      if (reservation.amount <= 0) return
      await db.transaction(async (tx) => adjust(tx as unknown as Db, reservation.payer, -reservation.amount, 0, false))
    },
  }
}
