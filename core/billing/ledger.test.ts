import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { createQuotaLedger, type Payer } from './ledger.ts'
import { tokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { AppContext } from '../app-context.ts'
import { closeContext, createTestContext, testBackends } from '../../tests/support/context.ts'

for (const backend of testBackends) {
  describe(`quota ledger on ${backend.name}`, () => {
    let context: AppContext
    beforeAll(async () => {
      context = await createTestContext(backend)
    })
    afterAll(async () => {
      await closeContext(context)
    })

    async function payer(userQuota: number, tokenQuota: number, unlimited = false): Promise<Payer & { tokenId: number }> {
      const db = context.database.db
      const [user] = await db.insert(users).values({ username: `u${Math.random().toString(36).slice(2)}`, quota: userQuota }).returning()
      const [token] = await db.insert(tokens).values({ userId: user!.id, name: 't', keyHash: Math.random().toString(36), keyPreview: 'sk-…', remainQuota: tokenQuota, unlimited }).returning()
      return { userId: user!.id, tokenId: token!.id, unlimited }
    }

    async function balances(p: Payer & { tokenId: number }) {
      const db = context.database.db
      const [user] = await db.select().from(users).where(eq(users.id, p.userId))
      const [token] = await db.select().from(tokens).where(eq(tokens.id, p.tokenId))
      return { user: user!.quota, userUsed: user!.usedQuota, token: token!.remainQuota, tokenUsed: token!.usedQuota, requests: user!.requestCount }
    }

    test('reserve then settle charges exactly the actual cost', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(10_000, 5_000)
      const reservation = await ledger.reserve(p, 1_000, 100)
      expect(reservation.amount).toBe(1_000)
      expect(await balances(p)).toMatchObject({ user: 9_000, token: 4_000 })
      expect(await ledger.settle(reservation, 640)).toBe(640)
      expect(await balances(p)).toEqual({ user: 9_360, userUsed: 640, token: 4_360, tokenUsed: 640, requests: 1 })
    })

    test('a refund returns everything', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(10_000, 5_000)
      await ledger.refund(await ledger.reserve(p, 1_000, 100))
      expect(await balances(p)).toEqual({ user: 10_000, userUsed: 0, token: 5_000, tokenUsed: 0, requests: 0 })
    })

    test('a small balance reserves what it has and refuses below the minimum', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(10_000, 300)
      expect((await ledger.reserve(p, 1_000, 100)).amount).toBe(300)
      const refused = ledger.reserve(p, 1_000, 100)
      await expect(refused).rejects.toBeInstanceOf(GatewayError)
      await expect(ledger.reserve(p, 1_000, 100)).rejects.toThrow(/Insufficient quota: this API key has 0 units left/)
    })

    test('a shortfall is taken from the balance but never below zero', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(10_000, 1_000)
      const reservation = await ledger.reserve(p, 600, 100)
      expect(await ledger.settle(reservation, 5_000)).toBe(1_000)
      expect(await balances(p)).toMatchObject({ user: 9_000, token: 0, tokenUsed: 1_000 })
    })

    test('unlimited tokens draw only on the user', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(2_000, 0, true)
      const reservation = await ledger.reserve(p, 1_500, 10)
      await ledger.settle(reservation, 1_200)
      expect(await balances(p)).toMatchObject({ user: 800, token: 0, tokenUsed: 1_200 })
      await expect(ledger.reserve(p, 1_500, 900)).rejects.toThrow(/this account has 800 units left/)
    })

    test('a payer without a token (the playground) draws on the user alone, to the unit', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const withToken = await payer(2_000, 50)
      const p: Payer = { userId: withToken.userId, tokenId: null, unlimited: false }
      const reservation = await ledger.reserve(p, 1_500, 10)
      expect(reservation.amount).toBe(1_500)
      expect(await ledger.settle(reservation, 1_700)).toBe(1_700)
      expect(await balances(withToken)).toEqual({ user: 300, userUsed: 1_700, token: 50, tokenUsed: 0, requests: 1 })
      await expect(ledger.reserve(p, 1_500, 900)).rejects.toThrow(/this account has 300 units left/)
      await ledger.refund(await ledger.reserve(p, 1_500, 100))
      expect((await balances(withToken)).user).toBe(300)
      await expect(ledger.reserve({ userId: 987_654, tokenId: null, unlimited: false }, 100, 1)).rejects.toThrow(/account no longer exists/)
    })

    test('a payer with a large known balance skips the reservation and is charged exactly once', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(1_000_000_000, 500_000_000)
      const first = await ledger.reserve(p, 1_000, 10)
      expect(first.amount).toBe(1_000)
      await ledger.settle(first, 700)
      const second = await ledger.reserve(p, 1_000, 10)
      expect(second.amount).toBe(0)
      expect(await balances(p)).toMatchObject({ user: 1_000_000_000 - 700, token: 500_000_000 - 700 })
      expect(await ledger.settle(second, 900)).toBe(900)
      expect(await balances(p)).toEqual({ user: 1_000_000_000 - 1_600, userUsed: 1_600, token: 500_000_000 - 1_600, tokenUsed: 1_600, requests: 2 })
    })

    test('200 concurrent reservations never overspend', async () => {
      const ledger = createQuotaLedger(context.database.db)
      const p = await payer(1_000_000, 10_000)
      const results = await Promise.allSettled(Array.from({ length: 200 }, async () => {
        const reservation = await ledger.reserve(p, 100, 100)
        return ledger.settle(reservation, 100)
      }))
      const charged = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)
      expect(charged.length).toBe(100)
      expect(results.filter((r) => r.status === 'rejected').length).toBe(100)
      expect(await balances(p)).toMatchObject({ token: 0, tokenUsed: 10_000, user: 990_000 })
    })
  })
}
