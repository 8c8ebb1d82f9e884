import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { startFakeEpay, type FakeEpay } from '../support/fake-epay.ts'

// EPay top-up end to end: the gateway's signed submit.php form is posted to a fake EPay gateway,
// which then calls the notify URL the way EPay does. Balances are checked to the unit.

const QUOTA_PER_YUAN = 70_000

interface Created {
  order: { id: number; tradeNo: string; status: string; quota: number; paid: string }
  redirect: { method: string; url: string; fields: Record<string, string> }
}

for (const backend of testBackends) {
  describe(`EPay top-up (${backend.name})`, () => {
    let gateway: TestGateway
    let epay: FakeEpay
    let userId: number
    let userToken: string

    const balance = async () => (await gateway.balance(userId)).quota
    const statusOf = async (tradeNo: string) =>
      (await gateway.admin<{ items: Array<{ status: string }> }>('GET', `/api/topups?tradeNo=${tradeNo}`)).items[0]?.status

    /** Creates an order as the user and posts its form to the fake gateway, as the browser would. */
    async function submitted(amount: number, method = 'alipay'): Promise<Created> {
      const response = await fetch(`${gateway.url}/api/topups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method, amount }),
      })
      expect(response.status).toBe(201)
      const created = (await response.json()) as Created
      const form = await fetch(created.redirect.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(created.redirect.fields),
      })
      expect(form.status).toBe(200)
      return created
    }

    beforeAll(async () => {
      epay = startFakeEpay()
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/topups/settings', {
        epay: {
          enabled: true,
          gatewayUrl: epay.url,
          merchantId: epay.merchantId,
          merchantKey: epay.merchantKey,
          methods: [
            { type: 'alipay', name: 'Alipay' },
            { type: 'wxpay', name: 'WeChat Pay' },
          ],
          amounts: { currency: 'CNY', presets: [10, 50], minimum: 1, maximum: 5000, discounts: [{ minimum: 500, factor: 0.95 }], quotaPerUnit: QUOTA_PER_YUAN },
        },
      })
      userId = await gateway.createUser({ username: 'epay-payer', quota: 500 })
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'epay-payer', password: 'password-123' }),
      })
      userToken = ((await login.json()) as { accessToken: string }).accessToken
    }, 60_000)
    afterAll(async () => {
      await gateway.stop()
      await epay.stop()
    })

    test('the submit.php form carries the protocol fields, signed so the gateway accepts it', async () => {
      const created = await submitted(500, 'wxpay')
      expect(created.redirect).toMatchObject({ method: 'POST', url: `${epay.url}/submit.php` })
      expect(created.redirect.fields).toMatchObject({
        pid: epay.merchantId,
        type: 'wxpay',
        out_trade_no: created.order.tradeNo,
        money: '475.00',
        sign_type: 'MD5',
      })
      expect(created.redirect.fields.notify_url).toBe(`${gateway.url}/api/topups/epay/notify`)
      expect(created.redirect.fields.return_url).toBe(`${gateway.url}/topup`)
      expect(created.order.quota).toBe(500 * QUOTA_PER_YUAN)
      const options = (await (await fetch(`${gateway.url}/api/topups/options`, { headers: { authorization: `Bearer ${userToken}` } })).json()) as {
        methods: Array<{ id: string }>
      }
      expect(options.methods.map((method) => method.id)).toEqual(['alipay', 'wxpay'])
      const unknown = await fetch(`${gateway.url}/api/topups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'qqpay', amount: 10 }),
      })
      expect(unknown.status).toBe(400)
    })

    test('a successful payment credits once under duplicate notifies', async () => {
      const created = await submitted(50)
      const before = await balance()
      const fields = epay.notifyFields(created.order.tradeNo)
      const answers = await Promise.all(Array.from({ length: 5 }, () => epay.notify(created.order.tradeNo, fields)))
      answers.push(await epay.notify(created.order.tradeNo, fields))
      expect(answers).toEqual(Array.from({ length: 6 }, () => ({ status: 200, text: 'success' })))
      expect(await balance()).toBe(before + 50 * QUOTA_PER_YUAN)
      expect(await statusOf(created.order.tradeNo)).toBe('paid')
      const credits = (await gateway.logs({ type: 'topup' })).filter((row) => (row.details as { topupId?: number } | null)?.topupId === created.order.id)
      expect(credits.map((row) => row.quota)).toEqual([50 * QUOTA_PER_YUAN])
    })

    test('a wrong sign, a changed money and an unknown out_trade_no are refused and credit nothing', async () => {
      const created = await submitted(10)
      const before = await balance()
      const wrongSign = { ...epay.notifyFields(created.order.tradeNo), sign: epay.sign(epay.notifyFields(created.order.tradeNo), 'not-the-merchant-key') }
      expect(await epay.notify(created.order.tradeNo, wrongSign)).toEqual({ status: 200, text: 'fail' })
      // A notify re-signed with the right key but claiming 0.01: the amount comes from our order, so it is refused.
      expect(await epay.notify(created.order.tradeNo, epay.notifyFields(created.order.tradeNo, { money: '0.01' }))).toEqual({ status: 200, text: 'fail' })
      // The signed fields of one order do not pay for another.
      const tampered = { ...epay.notifyFields(created.order.tradeNo), out_trade_no: 'TU0000000000UNKNOWN' }
      expect(await epay.notify(created.order.tradeNo, tampered)).toEqual({ status: 200, text: 'fail' })
      expect(await epay.notify(created.order.tradeNo, epay.notifyFields('TU0000000000UNKNOWN'))).toEqual({ status: 200, text: 'fail' })
      expect(await epay.notify(created.order.tradeNo, epay.notifyFields(created.order.tradeNo, { pid: '9999' }))).toEqual({ status: 200, text: 'fail' })
      expect(await balance()).toBe(before)
      expect(await statusOf(created.order.tradeNo)).toBe('pending')
      const refused = (await gateway.logs({ type: 'system' })).filter((row) => String(row.content).includes(created.order.tradeNo))
      expect(refused.some((row) => String(row.content).includes('money 0.01'))).toBe(true)
      // The genuine notify still works afterwards.
      expect(await epay.notify(created.order.tradeNo, epay.notifyFields(created.order.tradeNo))).toEqual({ status: 200, text: 'success' })
      expect(await balance()).toBe(before + 10 * QUOTA_PER_YUAN)
    })
  })
}
