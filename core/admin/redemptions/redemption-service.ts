import { and, eq, ilike, isNull, or, gt, type AnyColumn, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import { redemptions } from '../../db/schema.ts'
import { addToUserBalance } from '../../db/user-balance.ts'
import { GatewayError } from '../../errors.ts'
import { maskSecret, randomKey, sha256Hex } from '../../security/crypto.ts'
import type { REDEMPTION_SORT_FIELDS, RedemptionCreate, RedemptionListQuery, RedemptionView } from '../../../schemas/admin/redemptions.ts'
import type { Actor } from '../../http/actor.ts'
import { iso } from '../../http/api-base.ts'
import { likePattern, listPage } from '../../http/list-query.ts'

type RedemptionRow = typeof redemptions.$inferSelect

/** Length of a redemption code, as New API users know them. */
const CODE_LENGTH = 32

/** Columns the `sort` parameter may name. */
const sortColumns: Record<(typeof REDEMPTION_SORT_FIELDS)[number], AnyColumn> = {
  id: redemptions.id,
  name: redemptions.name,
  quota: redemptions.quota,
  status: redemptions.status,
  redeemedAt: redemptions.redeemedAt,
  createdAt: redemptions.createdAt,
}

/** Shows a code without the code. */
export function toRedemptionView(row: RedemptionRow): RedemptionView {
  return {
    id: row.id,
    name: row.name,
    codePreview: row.codePreview,
    quota: row.quota,
    status: row.status,
    expiresAt: iso(row.expiresAt),
    createdBy: row.createdBy,
    redeemedBy: row.redeemedBy,
    redeemedAt: iso(row.redeemedAt),
    createdAt: iso(row.createdAt) ?? '',
  }
}

/** Redemption codes: created in batches by admins, each redeemed once by any signed-in user. */
export function createRedemptionService(context: AppContext) {
  const db = context.database.db

  async function find(id: number): Promise<RedemptionRow> {
    const [row] = await db.select().from(redemptions).where(eq(redemptions.id, id))
    if (!row) throw new GatewayError(404, 'not_found', `Redemption code ${id} does not exist`)
    return row
  }

  return {
    /** Creates `count` codes; returns them with the codes, which are stored only as hashes. */
    async create(actor: Actor, input: RedemptionCreate) {
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null
      const codes = Array.from({ length: input.count ?? 1 }, () => randomKey(CODE_LENGTH))
      const rows = await db
        .insert(redemptions)
        .values(
          codes.map((code) => ({
            name: input.name,
            codeHash: sha256Hex(code),
            codePreview: maskSecret(code),
            quota: input.quota,
            expiresAt,
            createdBy: actor.id,
          })),
        )
        .returning()
      context.logWriter.write({
        type: 'manage',
        userId: actor.id,
        username: actor.username,
        content: `${rows.length} redemption code(s) "${input.name}" of ${input.quota} units created`,
        details: { ids: rows.map((row) => row.id) },
      })
      return { items: rows.map((row, index) => ({ ...toRedemptionView(row), code: codes[index] ?? '' })) }
    },

    /** A filtered page, newest first unless `sort` says otherwise. */
    async list(query: RedemptionListQuery) {
      const filters: SQL[] = []
      if (query.status) filters.push(eq(redemptions.status, query.status))
      if (query.q) filters.push(ilike(redemptions.name, likePattern(query.q)))
      const { rows, ...counts } = await listPage(db, redemptions, redemptions.id, filters, query, sortColumns)
      return { items: rows.map(toRedemptionView), ...counts }
    },

    /** Disables or re-enables an unredeemed code. */
    async setStatus(actor: Actor, id: number, status: 'unused' | 'disabled'): Promise<RedemptionView> {
      const current = await find(id)
      if (current.status === 'used') throw new GatewayError(409, 'conflict', `Redemption code ${id} was already redeemed`)
      const [row] = await db.update(redemptions).set({ status }).where(eq(redemptions.id, id)).returning()
      context.logWriter.write({
        type: 'manage',
        userId: actor.id,
        username: actor.username,
        content: `redemption code ${id} ${status === 'disabled' ? 'disabled' : 're-enabled'}`,
      })
      return toRedemptionView(row!)
    },

    /** Deletes a code (a redeemed one stays in the logs). */
    async remove(actor: Actor, id: number): Promise<void> {
      await find(id)
      await db.delete(redemptions).where(eq(redemptions.id, id))
      context.logWriter.write({ type: 'manage', userId: actor.id, username: actor.username, content: `redemption code ${id} deleted` })
    },

    /**
     * Redeems a code for the actor: one conditional UPDATE claims it (so concurrent attempts cannot
     * both succeed) and the same transaction credits the account; returns the units added.
     */
    async redeem(actor: Actor, code: string): Promise<{ quota: number; balance: number }> {
      const now = context.now()
      await context.ledger.sync()
      const credited = await db.transaction(async (tx) => {
        const [claimed] = await tx
          .update(redemptions)
          .set({ status: 'used', redeemedBy: actor.id, redeemedAt: now })
          .where(
            and(
              eq(redemptions.codeHash, sha256Hex(code.trim())),
              eq(redemptions.status, 'unused'),
              or(isNull(redemptions.expiresAt), gt(redemptions.expiresAt, now)),
            ),
          )
          .returning()
        if (!claimed) return undefined
        const user = await addToUserBalance(tx, actor.id, claimed.quota)
        return { quota: claimed.quota, balance: user?.quota ?? 0, version: user?.version ?? 0, id: claimed.id }
      })
      if (!credited) throw new GatewayError(400, 'invalid_request', 'This code is invalid, already used, disabled or expired', { param: 'code' })
      await context.ledger.adopt([{ key: `u:${actor.id}`, quota: credited.balance, version: credited.version }])
      context.logWriter.write({
        type: 'topup',
        userId: actor.id,
        username: actor.username,
        quota: credited.quota,
        content: `redeemed code ${credited.id} for ${credited.quota} units`,
        details: { redemptionId: credited.id },
      })
      await context.bus.publish('users')
      return { quota: credited.quota, balance: credited.balance }
    },
  }
}
