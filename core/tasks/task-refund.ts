import { and, eq, gt, sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import type { QuotaLedger } from '../billing/ledger.ts'
import type { AccountKey } from '../billing/balance-store.ts'
import { logs, tasks, tokens, users } from '../db/schema.ts'
import type { TaskRow } from './task-store.ts'

// The refund of a failed task: in one transaction, the conditional update `refunded = false → true`
// (the only guard: whichever replica or retry runs it second finds no row and does nothing), the
// user's quota and the key's remaining quota given back, and a `refund` log row naming the task.
// Like every direct balance write, it raises balance_version and hands the new balances to the ledger.

/** What a refund did. */
export type RefundOutcome = { refunded: true; units: number } | { refunded: false }

/** Refunds a task's charge in full, exactly once; nothing happens for a task already refunded or charged nothing. */
export async function refundTask(context: AppContext, ledger: QuotaLedger, task: Pick<TaskRow, 'id'>, reason: string): Promise<RefundOutcome> {
  await ledger.sync()
  const now = context.now()
  const outcome = await context.database.db.transaction(async (tx) => {
    const [row] = await tx
      .update(tasks)
      .set({ refunded: true, refundedAt: now, updatedAt: now })
      .where(and(eq(tasks.id, task.id), eq(tasks.refunded, false), gt(tasks.quota, 0)))
      .returning()
    if (!row) return undefined
    const adopted: Array<{ key: AccountKey; quota: number; version: number }> = []
    const [user] = await tx
      .update(users)
      .set({
        quota: sql`${users.quota} + ${row.quota}`,
        usedQuota: sql`greatest(${users.usedQuota} - ${row.quota}, 0)`,
        balanceVersion: sql`${users.balanceVersion} + 1`,
      })
      .where(eq(users.id, row.userId))
      .returning({ quota: users.quota, version: users.balanceVersion, username: users.username })
    if (user) adopted.push({ key: `u:${row.userId}`, quota: user.quota, version: user.version })
    let tokenName: string | null = null
    if (row.tokenId !== null) {
      const [token] = await tx
        .update(tokens)
        .set({
          remainQuota: sql`case when ${tokens.unlimited} then ${tokens.remainQuota} else ${tokens.remainQuota} + ${row.quota} end`,
          usedQuota: sql`greatest(${tokens.usedQuota} - ${row.quota}, 0)`,
          balanceVersion: sql`${tokens.balanceVersion} + 1`,
        })
        .where(eq(tokens.id, row.tokenId))
        .returning({ quota: tokens.remainQuota, version: tokens.balanceVersion, name: tokens.name })
      if (token) {
        adopted.push({ key: `t:${row.tokenId}`, quota: token.quota, version: token.version })
        tokenName = token.name
      }
    }
    await tx.insert(logs).values({
      type: 'refund',
      createdAt: now,
      userId: row.userId,
      username: user?.username ?? null,
      tokenId: row.tokenId,
      tokenName,
      channelId: row.channelId,
      model: row.model,
      quota: row.quota,
      group: row.group,
      content: `task ${row.id} (${row.platform} ${row.action}) refunded: ${reason}`,
      details: { taskId: row.id, platform: row.platform, action: row.action, reason },
    })
    return { units: row.quota, adopted }
  })
  if (!outcome) return { refunded: false }
  await ledger.adopt(outcome.adopted)
  await context.bus.publish('users')
  return { refunded: true, units: outcome.units }
}
