import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { logs, topups, users, type TopupStatus } from '../db/schema.ts'
import { randomKey } from '../security/crypto.ts'
import { addToUserBalance } from '../db/user-balance.ts'
import type { TopupListQuery, TopupView } from '../../schemas/admin/topups.ts'
import { iso } from '../http/api-base.ts'
import { pageOf } from '../http/list-query.ts'
import { minorToText, refundQuota, type OrderQuote } from './topup-amounts.ts'

// Top-up orders and the money they move. Every balance change follows the ledger's rule (see
// core/billing/ledger.ts): one transaction writes the order's new status, the user's row with
// `balance_version + 1` and the log row naming the order; the ledger then adopts the new balance.
// Crediting is a conditional UPDATE … WHERE status = 'pending', so of any number of concurrent or
// repeated notifications exactly one credits.

type TopupRow = typeof topups.$inferSelect

/** The shape of an order in API answers. */
export function toTopupView(row: TopupRow, username: string): TopupView {
  return {
    id: row.id,
    userId: row.userId,
    username,
    provider: row.provider,
    method: row.method,
    tradeNo: row.tradeNo,
    providerReference: row.providerReference,
    status: row.status,
    amount: minorToText(row.amountMinor, row.currency),
    paid: minorToText(row.paidMinor, row.currency),
    currency: row.currency,
    quota: row.quota,
    quotaRefunded: row.quotaRefunded,
    createdAt: iso(row.createdAt) ?? '',
    paidAt: iso(row.paidAt),
  }
}

/** A new order number: sortable by time, unguessable, and short enough for every EPay gateway (≤ 32). */
export function newTradeNo(now: Date): string {
  return `TU${now.getTime().toString(36).toUpperCase()}${randomKey(10).toUpperCase()}`
}

/** What a credit, close or refund did. */
export type OrderOutcome =
  | { kind: 'credited'; order: TopupRow; balance: number }
  | { kind: 'unchanged'; order: TopupRow }
  | { kind: 'refunded'; order: TopupRow; debited: number; balance: number }
  | { kind: 'missing' }

/** Orders: created pending, credited once, closed, refunded. */
export function createTopupOrders(context: AppContext) {
  const db = context.database.db

  async function byTradeNo(tradeNo: string): Promise<TopupRow | undefined> {
    const [row] = await db.select().from(topups).where(eq(topups.tradeNo, tradeNo))
    return row
  }

  return {
    byTradeNo,

    /** Finds an order by the provider's reference of it. */
    async byProviderReference(provider: 'stripe' | 'epay', reference: string): Promise<TopupRow | undefined> {
      const [row] = await db
        .select()
        .from(topups)
        .where(and(eq(topups.provider, provider), eq(topups.providerReference, reference)))
      return row
    },

    /** Finds an order by the provider's id of its payment (the Stripe PaymentIntent refunds name). */
    async byPaymentReference(reference: string): Promise<TopupRow | undefined> {
      const [row] = await db.select().from(topups).where(eq(topups.paymentReference, reference))
      return row
    },

    /** Stores a pending order with its figures fixed. */
    async create(input: { userId: number; provider: 'stripe' | 'epay'; method: string; quote: OrderQuote }): Promise<TopupRow> {
      const [row] = await db
        .insert(topups)
        .values({
          userId: input.userId,
          provider: input.provider,
          method: input.method,
          tradeNo: newTradeNo(context.now()),
          amountMinor: input.quote.amountMinor,
          paidMinor: input.quote.paidMinor,
          currency: input.quote.currency,
          quota: input.quote.quota,
        })
        .returning()
      return row!
    },

    /** Records the provider's id of a created payment (the Checkout Session id). */
    async setReference(id: number, providerReference: string): Promise<TopupRow> {
      const [row] = await db.update(topups).set({ providerReference, updatedAt: sql`now()` }).where(eq(topups.id, id)).returning()
      return row!
    },

    /** Marks a pending order failed (the provider could not start the payment), so it never stays pending. */
    async abandon(id: number, reason: string): Promise<void> {
      await db
        .update(topups)
        .set({ status: 'failed', lastEvent: { error: reason }, updatedAt: sql`now()` })
        .where(and(eq(topups.id, id), eq(topups.status, 'pending')))
    },

    /**
     * Credits a pending order once: the status change, the balance and the log row in one transaction;
     * a repeated or concurrent call finds nothing pending and changes nothing.
     */
    async credit(orderId: number, event: { lastEvent: Record<string, unknown>; providerReference?: string; paymentReference?: string }): Promise<OrderOutcome> {
      await context.ledger.sync()
      const now = context.now()
      const outcome = await db.transaction(async (tx) => {
        const [order] = await tx
          .update(topups)
          .set({
            status: 'paid',
            paidAt: now,
            lastEvent: event.lastEvent,
            updatedAt: now,
            ...(event.providerReference ? { providerReference: event.providerReference } : {}),
            ...(event.paymentReference ? { paymentReference: event.paymentReference } : {}),
          })
          .where(and(eq(topups.id, orderId), eq(topups.status, 'pending')))
          .returning()
        if (!order) return undefined
        const user = await addToUserBalance(tx, order.userId, order.quota)
        await tx.insert(logs).values({
          type: 'topup',
          userId: order.userId,
          username: user?.username ?? null,
          quota: order.quota,
          content: `top-up ${order.tradeNo} paid through ${order.provider}: ${minorToText(order.paidMinor, order.currency)} ${order.currency} for ${order.quota} units`,
          details: {
            topupId: order.id,
            tradeNo: order.tradeNo,
            provider: order.provider,
            providerReference: order.providerReference,
            paid: minorToText(order.paidMinor, order.currency),
            currency: order.currency,
          },
        })
        return { order, balance: user?.quota ?? 0, version: user?.version ?? 0 }
      })
      if (!outcome) {
        const [order] = await db.select().from(topups).where(eq(topups.id, orderId))
        return order ? { kind: 'unchanged', order } : { kind: 'missing' }
      }
      await context.ledger.adopt([{ key: `u:${outcome.order.userId}`, quota: outcome.balance, version: outcome.version }])
      await context.bus.publish('users')
      return { kind: 'credited', order: outcome.order, balance: outcome.balance }
    },

    /** Closes a pending order as expired or failed; a paid one is left alone. */
    async close(orderId: number, status: Extract<TopupStatus, 'expired' | 'failed'>, lastEvent: Record<string, unknown>): Promise<OrderOutcome> {
      const [order] = await db
        .update(topups)
        .set({ status, lastEvent, updatedAt: context.now() })
        .where(and(eq(topups.id, orderId), eq(topups.status, 'pending')))
        .returning()
      if (order) return { kind: 'unchanged', order }
      const [current] = await db.select().from(topups).where(eq(topups.id, orderId))
      return current ? { kind: 'unchanged', order: current } : { kind: 'missing' }
    },

    /**
     * Takes back the quota of the money refunded so far (`refundedMinor` is the provider's running
     * total), under a row lock so repeated notices debit only the difference; the balance never goes
     * below zero, and the log row says what was actually taken.
     */
    async refund(orderId: number, refundedMinor: number, lastEvent: Record<string, unknown>): Promise<OrderOutcome> {
      await context.ledger.sync()
      const outcome = await db.transaction(async (tx) => {
        const [order] = await tx.select().from(topups).where(eq(topups.id, orderId)).for('update')
        if (!order || (order.status !== 'paid' && order.status !== 'refunded')) return order ? { order, changed: false as const } : undefined
        const target = refundQuota(order.quota, order.paidMinor, refundedMinor)
        const owed = target - order.quotaRefunded
        if (owed <= 0) return { order, changed: false as const }
        const [locked] = await tx.select({ quota: users.quota }).from(users).where(eq(users.id, order.userId)).for('update')
        const debited = Math.min(owed, Math.max(0, locked?.quota ?? 0))
        const status: TopupStatus = refundedMinor >= order.paidMinor ? 'refunded' : 'paid'
        const [updated] = await tx
          .update(topups)
          .set({ quotaRefunded: target, status, lastEvent, updatedAt: context.now() })
          .where(eq(topups.id, orderId))
          .returning()
        const user = await addToUserBalance(tx, order.userId, -debited)
        await tx.insert(logs).values({
          type: 'refund',
          userId: order.userId,
          username: user?.username ?? null,
          quota: debited,
          content: `top-up ${order.tradeNo} refunded (${minorToText(Math.min(refundedMinor, order.paidMinor), order.currency)} ${order.currency} so far): ${debited} units taken back${debited < owed ? ` of ${owed} owed (the balance ran out)` : ''}`,
          details: { topupId: order.id, tradeNo: order.tradeNo, provider: order.provider, refundedMinor, owed, debited },
        })
        return { order: updated!, changed: true as const, debited, balance: user?.quota ?? 0, version: user?.version ?? 0 }
      })
      if (!outcome) return { kind: 'missing' }
      if (!outcome.changed) return { kind: 'unchanged', order: outcome.order }
      await context.ledger.adopt([{ key: `u:${outcome.order.userId}`, quota: outcome.balance, version: outcome.version }])
      await context.bus.publish('users')
      return { kind: 'refunded', order: outcome.order, debited: outcome.debited, balance: outcome.balance }
    },

    /** Keeps the provider's last word on an order for audit without changing it. */
    async note(orderId: number, lastEvent: Record<string, unknown>): Promise<void> {
      await db.update(topups).set({ lastEvent, updatedAt: context.now() }).where(eq(topups.id, orderId))
    },

    /** A page of orders, newest first; `ownerId` limits it to one user's. */
    async list(query: TopupListQuery, ownerId: number | undefined) {
      const { page, pageSize, offset } = pageOf(query)
      const filters: SQL[] = []
      const userId = ownerId ?? query.userId
      if (userId !== undefined) filters.push(eq(topups.userId, userId))
      if (query.status) filters.push(eq(topups.status, query.status))
      if (query.provider) filters.push(eq(topups.provider, query.provider))
      if (query.tradeNo) filters.push(eq(topups.tradeNo, query.tradeNo))
      const where = filters.length > 0 ? and(...filters) : undefined
      const [total] = await db.select({ value: count() }).from(topups).where(where)
      const rows = await db
        .select({ order: topups, username: users.username })
        .from(topups)
        .innerJoin(users, eq(users.id, topups.userId))
        .where(where)
        .orderBy(desc(topups.id))
        .limit(pageSize)
        .offset(offset)
      return { items: rows.map((row) => toTopupView(row.order, row.username)), total: total?.value ?? 0, page, pageSize }
    },
  }
}

/** The order service's type. */
export type TopupOrders = ReturnType<typeof createTopupOrders>
