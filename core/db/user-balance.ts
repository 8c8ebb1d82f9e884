import { eq, sql } from 'drizzle-orm'
import type { Db } from './client.ts'
import { users } from './schema.ts'

// A user's balance moved outside the relay (a redeemed code, a paid or refunded top-up) is written as
// the ledger's rule wants it (see core/billing/ledger.ts): the new quota and `balance_version + 1` in
// the caller's transaction, so the ledger can adopt the result afterwards.

/** The user's balance after a move, its version for the ledger, and the username for the log row. */
export interface MovedBalance {
  quota: number
  version: number
  username: string
}

/** Adds `delta` units (negative to take some back) to a user's balance; undefined when the user is gone. */
export async function addToUserBalance(tx: Db, userId: number, delta: number): Promise<MovedBalance | undefined> {
  const [row] = await tx
    .update(users)
    .set({ quota: sql`${users.quota} + ${delta}`, balanceVersion: sql`${users.balanceVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ quota: users.quota, version: users.balanceVersion, username: users.username })
  return row
}
