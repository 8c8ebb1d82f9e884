import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import type { Payer } from './ledger.ts'
import { logs, tokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { AppContext } from '../app-context.ts'
import type { LogEntry } from '../jobs/log-writer.ts'
import { closeContext, createTestContext, testBackends } from '../../tests/support/context.ts'

// The ledger on every store: in-process (PGlite, PostgreSQL) and Redis (replicas). Balances are read
// from the database after `sync()`, which waits for the group commit: what an admin would see.

const stores = [
  ...testBackends.map((backend) => ({ name: backend.name, backend, redisUrl: undefined as string | undefined })),
  ...(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL
    ? [{ name: 'postgres + redis', backend: { databaseUrl: process.env.TEST_DATABASE_URL }, redisUrl: process.env.TEST_REDIS_URL }]
    : []),
]

const usageRow = (requestId: string): LogEntry => ({ type: 'consume', requestId, model: 'gpt-4o-mini', quota: 0, details: { priced: 0 } })

for (const store of stores) {
  describe(`quota ledger (${store.name})`, () => {
    let context: AppContext
    beforeAll(async () => {
      context = await createTestContext(store.backend, store.redisUrl ? { redisUrl: store.redisUrl } : {})
    })
    afterAll(async () => {
      await closeContext(context)
    })

    async function payer(userQuota: number, tokenQuota: number, unlimited = false): Promise<Payer & { tokenId: number }> {
      const db = context.database.db
      const [user] = await db
        .insert(users)
        .values({ username: `u${Math.random().toString(36).slice(2)}`, quota: userQuota })
        .returning()
      const [token] = await db
        .insert(tokens)
        .values({ userId: user!.id, name: 't', keyHash: Math.random().toString(36), keyPreview: 'sk-…', remainQuota: tokenQuota, unlimited })
        .returning()
      return { userId: user!.id, tokenId: token!.id, unlimited }
    }

    async function balances(p: Payer & { tokenId: number }) {
      await context.ledger.sync()
      const db = context.database.db
      const [user] = await db.select().from(users).where(eq(users.id, p.userId))
      const [token] = await db.select().from(tokens).where(eq(tokens.id, p.tokenId))
      return { user: user!.quota, userUsed: user!.usedQuota, token: token!.remainQuota, tokenUsed: token!.usedQuota, requests: user!.requestCount }
    }

    const settle = (reservation: Awaited<ReturnType<AppContext['ledger']['reserve']>>, actual: number, requestId = `req-${Math.random()}`) =>
      context.ledger.settle(reservation, actual, usageRow(requestId))

    test('reserve then settle charges exactly the actual cost, with its usage row in the same commit', async () => {
      const p = await payer(10_000, 5_000)
      const reservation = await context.ledger.reserve(p, 1_000, 100)
      expect(reservation.amount).toBe(1_000)
      expect(await settle(reservation, 640, 'req-exact')).toBe(640)
      expect(await balances(p)).toEqual({ user: 9_360, userUsed: 640, token: 4_360, tokenUsed: 640, requests: 1 })
      const [row] = await context.database.db.select().from(logs).where(eq(logs.requestId, 'req-exact'))
      expect(row).toMatchObject({ type: 'consume', quota: 640, details: { priced: 0, charged: 640 } })
    })

    test('a hold is spendable by no one else until it is settled or refunded', async () => {
      const p = await payer(10_000, 1_000)
      const first = await context.ledger.reserve(p, 1_000, 100)
      await expect(context.ledger.reserve(p, 1_000, 100)).rejects.toThrow(
        'this API key has $0.00 (0 units) left and the request needs at least $0.0002 (100 units)',
      )
      await context.ledger.refund(first)
      expect((await context.ledger.reserve(p, 1_000, 100)).amount).toBe(1_000)
      expect(await balances(p)).toEqual({ user: 10_000, userUsed: 0, token: 1_000, tokenUsed: 0, requests: 0 })
    })

    test('a small balance reserves what it has and refuses below the minimum', async () => {
      const p = await payer(10_000, 300)
      expect((await context.ledger.reserve(p, 1_000, 100)).amount).toBe(300)
      const refused = context.ledger.reserve(p, 1_000, 100)
      await expect(refused).rejects.toBeInstanceOf(GatewayError)
      await expect(context.ledger.reserve(p, 1_000, 100)).rejects.toThrow(
        'Insufficient quota: this API key has $0.00 (0 units) left and the request needs at least $0.0002 (100 units)',
      )
    })

    test('a shortfall is taken from the balance but never below zero', async () => {
      const p = await payer(10_000, 1_000)
      const reservation = await context.ledger.reserve(p, 600, 100)
      expect(await settle(reservation, 5_000)).toBe(1_000)
      expect(await balances(p)).toMatchObject({ user: 9_000, token: 0, tokenUsed: 1_000 })
    })

    test('unlimited tokens draw only on the user', async () => {
      const p = await payer(2_000, 0, true)
      const reservation = await context.ledger.reserve(p, 1_500, 10)
      await settle(reservation, 1_200)
      expect(await balances(p)).toMatchObject({ user: 800, token: 0, tokenUsed: 1_200 })
      await expect(context.ledger.reserve(p, 1_500, 900)).rejects.toThrow(
        'this account has $0.0016 (800 units) left and the request needs at least $0.0018 (900 units)',
      )
    })

    test('a payer without a token (the playground) draws on the user alone, to the unit', async () => {
      const withToken = await payer(2_000, 50)
      const p: Payer = { userId: withToken.userId, tokenId: null, unlimited: false }
      const reservation = await context.ledger.reserve(p, 1_500, 10)
      expect(reservation.amount).toBe(1_500)
      expect(await settle(reservation, 1_700)).toBe(1_700)
      expect(await balances(withToken)).toEqual({ user: 300, userUsed: 1_700, token: 50, tokenUsed: 0, requests: 1 })
      await expect(context.ledger.reserve(p, 1_500, 900)).rejects.toThrow(
        'this account has $0.0006 (300 units) left and the request needs at least $0.0018 (900 units)',
      )
      await context.ledger.refund(await context.ledger.reserve(p, 1_500, 100))
      expect((await balances(withToken)).user).toBe(300)
      await expect(context.ledger.reserve({ userId: 987_654, tokenId: null, unlimited: false }, 100, 1)).rejects.toThrow(/account no longer exists/)
    })

    test('200 concurrent reservations never overspend', async () => {
      const p = await payer(1_000_000, 10_000)
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, async () => {
          const reservation = await context.ledger.reserve(p, 100, 100)
          return settle(reservation, 100)
        }),
      )
      const charged = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)
      expect(charged.length).toBe(100)
      expect(results.filter((r) => r.status === 'rejected').length).toBe(100)
      expect(await balances(p)).toMatchObject({ token: 0, tokenUsed: 10_000, user: 990_000 })
    })

    test('a balance written straight to the database counts once its newer version is adopted; an older one is ignored', async () => {
      const p = await payer(10_000, 100)
      await settle(await context.ledger.reserve(p, 100, 100), 100)
      await expect(context.ledger.reserve(p, 100, 100)).rejects.toThrow('has $0.00 (0 units) left')
      // What an admin top-up does: write the row with a raised version, then hand it to the ledger.
      const [row] = await context.database.db
        .update(tokens)
        .set({ remainQuota: sql`${tokens.remainQuota} + 500`, balanceVersion: sql`${tokens.balanceVersion} + 1` })
        .where(eq(tokens.id, p.tokenId))
        .returning({ quota: tokens.remainQuota, version: tokens.balanceVersion })
      await context.ledger.adopt([{ key: `t:${p.tokenId}`, quota: row!.quota, version: row!.version }])
      await context.ledger.adopt([{ key: `t:${p.tokenId}`, quota: 1_000_000, version: row!.version - 1 }])
      const reservation = await context.ledger.reserve(p, 1_000, 100)
      expect(reservation.amount).toBe(500)
      expect(await settle(reservation, 500)).toBe(500)
      expect(await balances(p)).toMatchObject({ token: 0, tokenUsed: 600, user: 9_400 })
    })

    test('charges made while an admin write is committing are neither lost nor counted twice', async () => {
      const p = await payer(1_000_000, 100_000)
      const calls = Array.from({ length: 50 }, async () => settle(await context.ledger.reserve(p, 1_000, 10), 1_000))
      const db = context.database.db
      const [row] = await db
        .update(tokens)
        .set({ remainQuota: sql`${tokens.remainQuota} + 7`, balanceVersion: sql`${tokens.balanceVersion} + 1` })
        .where(eq(tokens.id, p.tokenId))
        .returning({ quota: tokens.remainQuota, version: tokens.balanceVersion })
      await context.ledger.adopt([{ key: `t:${p.tokenId}`, quota: row!.quota, version: row!.version }])
      await Promise.all(calls)
      expect(await balances(p)).toMatchObject({ token: 100_007 - 50_000, tokenUsed: 50_000, user: 1_000_000 - 50_000 })
      // The cache agrees with the database: exactly what is left can be held.
      expect((await context.ledger.reserve(p, 10_000_000, 1)).amount).toBe(50_007)
    })

    // The Redis committer reads the journal once per batch, not once per settled call: each read it hands
    // over waits for the previous batch's commit, so a lone call's settle no longer wakes the gateway for a
    // read of its own (at c=1 that read, and the batch hand-over with it, was most of a call's added time).
    if (store.redisUrl)
      test('the Redis committer hands over a new batch of charges only once the previous one is committed', async () => {
        const p = await payer(1_000_000, 1_000_000)
        await context.ledger.sync()
        const writer = context.logWriter
        const handOver = writer.commitCharges
        let batches = 0
        let whileQueued = 0
        writer.commitCharges = (sink, charges) => {
          batches++
          if (writer.backlog() > 0) whileQueued++
          handOver(sink, charges)
        }
        try {
          for (let call = 0; call < 40; call++) await settle(await context.ledger.reserve(p, 100, 1), 50)
          expect(await balances(p)).toMatchObject({ userUsed: 2_000, tokenUsed: 2_000, requests: 40 })
        } finally {
          writer.commitCharges = handOver
        }
        expect({ batches: batches > 0, whileQueued }).toEqual({ batches: true, whileQueued: 0 })
      })
  })
}
