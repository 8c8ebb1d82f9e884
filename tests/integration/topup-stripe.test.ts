import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.ts'

// Stripe top-up end to end: the gateway creates Checkout Sessions through the `stripe` package on a
// fake Stripe API, and receives webhooks signed with the package's test helper. Balances are checked
// to the unit; a paid session credits exactly once, also across a restart on the same database.

const WEBHOOK_SECRET = 'whsec_test_topup_secret'
const UNITS_PER_USD = 500_000

interface Order {
  id: number
  tradeNo: string
  status: string
  quota: number
  quotaRefunded: number
  amount: string
  paid: string
  currency: string
  providerReference: string | null
}
interface Created {
  order: Order
  redirect: { method: string; url: string; fields: Record<string, string> }
}

for (const backend of testBackends) {
  describe(`Stripe top-up (${backend.name})`, () => {
    let gateway: TestGateway
    let stripe: FakeStripe
    let userId: number
    let userToken: string
    const dataDir = mkdtempSync(join(tmpdir(), 'topup-stripe-'))

    const asUser = (method: string, path: string, body?: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${userToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    async function order(amount: number): Promise<Created> {
      const response = await asUser('POST', '/api/topups', { method: 'stripe', amount })
      expect(response.status).toBe(201)
      return (await response.json()) as Created
    }
    const balance = async () => (await gateway.balance(userId)).quota
    const orderOf = async (tradeNo: string) => (await gateway.admin<{ items: Order[] }>('GET', `/api/topups?tradeNo=${tradeNo}`)).items[0]!
    const sessionOf = (created: Created) => stripe.sessions.get(created.order.providerReference ?? '')!

    async function boot(keepData: boolean) {
      gateway = await startGateway({ ...backend, keepData }, { dataDir })
      stripe.setWebhook(`${gateway.url}/api/topups/stripe/webhook`, WEBHOOK_SECRET)
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'stripe-payer', password: 'password-123' }),
      })
      userToken = ((await login.json()) as { accessToken: string }).accessToken
    }

    beforeAll(async () => {
      stripe = startFakeStripe()
      gateway = await startGateway(backend, { dataDir })
      await gateway.admin('PATCH', '/api/topups/settings', {
        stripe: {
          enabled: true,
          secretKey: 'sk_test_topup_key',
          webhookSecret: WEBHOOK_SECRET,
          apiUrl: stripe.url,
          amounts: {
            currency: 'USD',
            presets: [5, 10, 20],
            minimum: 2,
            maximum: 1000,
            discounts: [{ minimum: 100, factor: 0.9 }],
            quotaPerUnit: UNITS_PER_USD,
          },
        },
      })
      userId = await gateway.createUser({ username: 'stripe-payer', quota: 1000 })
      await gateway.stop()
      await boot(backend.databaseUrl !== undefined)
    }, 60_000)
    afterAll(async () => {
      await gateway.stop()
      await stripe.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }, 30_000)

    test('an order creates a Checkout Session with our figures; secrets never come back', async () => {
      const created = await order(10)
      expect(created.order).toMatchObject({ status: 'pending', quota: 10 * UNITS_PER_USD, amount: '10.00', paid: '10.00', currency: 'USD' })
      expect(created.redirect.method).toBe('GET')
      expect(created.redirect.url.startsWith(`${stripe.url}/pay/cs_test_`)).toBe(true)
      const session = sessionOf(created)
      expect(session).toMatchObject({ amount_total: 1000, currency: 'usd', client_reference_id: created.order.tradeNo, mode: 'payment' })
      expect(stripe.keysSeen).toContain('sk_test_topup_key')
      // The discount table: 100 USD and up costs 10 % less, the quota stays what was asked.
      const discounted = await order(100)
      expect(discounted.order).toMatchObject({ amount: '100.00', paid: '90.00', quota: 100 * UNITS_PER_USD })
      expect(sessionOf(discounted).amount_total).toBe(9000)
      const tooSmall = await asUser('POST', '/api/topups', { method: 'stripe', amount: 1.5 })
      expect(tooSmall.status).toBe(400)
      expect(((await tooSmall.json()) as { error: { field: string } }).error.field).toBe('amount')
      const settings = JSON.stringify(await gateway.admin('GET', '/api/topups/settings'))
      expect(settings).not.toContain('sk_test_topup_key')
      expect(settings).not.toContain(WEBHOOK_SECRET)
      expect(settings).toContain('"secretKeySet":true')
    })

    test('a paid session credits once under 5 concurrent deliveries, and once more after a restart', async () => {
      const created = await order(20)
      const before = await balance()
      const event = stripe.event('checkout.session.completed', { ...stripe.pay(sessionOf(created).id) })
      const answers = await Promise.all(Array.from({ length: 5 }, () => stripe.deliver(event)))
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200])
      const outcomes = await Promise.all(answers.map(async (answer) => ((await answer.json()) as { outcome: string }).outcome))
      expect(outcomes.filter((outcome) => outcome === 'credited').length).toBe(1)
      expect(await balance()).toBe(before + 20 * UNITS_PER_USD)
      expect(await orderOf(created.order.tradeNo)).toMatchObject({ status: 'paid', quota: 20 * UNITS_PER_USD })
      const credits = (await gateway.logs({ type: 'topup' })).filter((row) => (row.details as { topupId?: number } | null)?.topupId === created.order.id)
      expect(credits.length).toBe(1)
      expect(credits[0]!.quota).toBe(20 * UNITS_PER_USD)

      await gateway.stop()
      await boot(true)
      const again = await stripe.deliver(event)
      expect(again.status).toBe(200)
      expect(((await again.json()) as { outcome: string }).outcome).toBe('unchanged')
      expect(await balance()).toBe(before + 20 * UNITS_PER_USD)
    }, 60_000)

    test('a bad signature is a 400 and credits nothing', async () => {
      const created = await order(5)
      const before = await balance()
      const event = stripe.event('checkout.session.completed', { ...stripe.pay(sessionOf(created).id) })
      const forged = await stripe.deliver(event, await stripe.sign(JSON.stringify(event, null, 2), 'whsec_someone_else'))
      expect(forged.status).toBe(400)
      expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('invalid_request')
      const unsigned = await stripe.deliver(event, 't=1,v1=00')
      expect(unsigned.status).toBe(400)
      expect(await balance()).toBe(before)
      expect((await orderOf(created.order.tradeNo)).status).toBe('pending')
    })

    test('an amount that differs from the order is refused and logged, crediting nothing', async () => {
      const created = await order(5)
      const before = await balance()
      const session = stripe.pay(sessionOf(created).id)
      const answer = await stripe.deliver(stripe.event('checkout.session.completed', { ...session, amount_total: 50 }))
      expect(answer.status).toBe(400)
      expect(await balance()).toBe(before)
      expect((await orderOf(created.order.tradeNo)).status).toBe('pending')
      const refused = (await gateway.logs({ type: 'system' })).filter((row) => String(row.content).includes(created.order.tradeNo))
      expect(refused.length).toBe(1)
    })

    test('an expired session closes the order and credits nothing, even if a completion follows', async () => {
      const created = await order(10)
      const before = await balance()
      const session = sessionOf(created)
      const expired = await stripe.deliver(stripe.event('checkout.session.expired', { ...session, status: 'expired' }))
      expect(((await expired.json()) as { outcome: string }).outcome).toBe('closed')
      expect((await orderOf(created.order.tradeNo)).status).toBe('expired')
      const late = await stripe.deliver(stripe.event('checkout.session.completed', { ...stripe.pay(session.id) }))
      expect(((await late.json()) as { outcome: string }).outcome).toBe('unchanged')
      expect(await balance()).toBe(before)
      const failed = await order(10)
      await stripe.deliver(stripe.event('checkout.session.async_payment_failed', { ...sessionOf(failed) }))
      expect((await orderOf(failed.order.tradeNo)).status).toBe('failed')
      expect(await balance()).toBe(before)
    })

    test('refunds debit what was credited, in proportion, once each, never below zero', async () => {
      const created = await order(10)
      const session = stripe.pay(sessionOf(created).id)
      await stripe.deliver(stripe.event('checkout.session.completed', { ...session }))
      const paid = await balance()
      const partial = stripe.refundEvent(session.id, 250)
      expect(((await (await stripe.deliver(partial)).json()) as { outcome: string }).outcome).toBe('refunded')
      await stripe.deliver(partial)
      expect(await balance()).toBe(paid - 2.5 * UNITS_PER_USD)
      expect(await orderOf(created.order.tradeNo)).toMatchObject({ status: 'paid', quotaRefunded: 2.5 * UNITS_PER_USD })
      await stripe.deliver(stripe.refundEvent(session.id, 1000))
      expect(await balance()).toBe(paid - 10 * UNITS_PER_USD)
      expect(await orderOf(created.order.tradeNo)).toMatchObject({ status: 'refunded', quotaRefunded: 10 * UNITS_PER_USD })
      const refunds = (await gateway.logs({ type: 'refund' })).filter((row) => (row.details as { topupId?: number } | null)?.topupId === created.order.id)
      expect(refunds.map((row) => row.quota).sort()).toEqual([2.5 * UNITS_PER_USD, 7.5 * UNITS_PER_USD].sort())

      // Spent down to 1 USD of quota, a full refund of a 10 USD top-up takes what is left and no more.
      const second = await order(10)
      const secondSession = stripe.pay(sessionOf(second).id)
      await stripe.deliver(stripe.event('checkout.session.completed', { ...secondSession }))
      await gateway.admin('PATCH', `/api/users/${userId}`, { quota: UNITS_PER_USD })
      await stripe.deliver(stripe.refundEvent(secondSession.id, 1000))
      expect(await balance()).toBe(0)
      const last = (await gateway.logs({ type: 'refund' })).filter((row) => (row.details as { topupId?: number } | null)?.topupId === second.order.id)
      expect(last.map((row) => row.quota)).toEqual([UNITS_PER_USD])
    })

    test('users list their own orders; other users cannot see them', async () => {
      const own = (await (await asUser('GET', '/api/topups')).json()) as { items: Order[]; total: number }
      expect(own.total).toBeGreaterThan(5)
      const forbidden = await asUser('GET', '/api/topups?userId=1')
      expect(forbidden.status).toBe(403)
      const all = await gateway.admin<{ total: number }>('GET', `/api/topups?userId=${userId}&provider=stripe`)
      expect(all.total).toBe(own.total)
    })
  })
}
