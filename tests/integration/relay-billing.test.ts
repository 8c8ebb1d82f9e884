import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// Key-balance tools call OpenAI's legacy billing endpoints with a relay key.

describe('legacy billing endpoints', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
  })
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })

  const get = (path: string, key: string) => fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } })

  test("subscription and usage in OpenAI's shape, in USD and cents, under /v1 and without", async () => {
    const userId = await gateway.createUser({ username: 'billing-user', quota: 50_000_000 })
    const token = await gateway.createToken({ userId, quota: 2_500_000, expiresAt: '2030-01-01T00:00:00Z' })
    fake.queue({ kind: 'usage', usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 } })
    expect(
      (
        await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.key}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        })
      ).status,
    ).toBe(200)
    // 1M input tokens of gpt-4o-mini = 0.15 USD = 75,000 units spent out of 2,500,000 (5 USD).
    for (const prefix of ['', '/v1']) {
      const subscription = await (await get(`${prefix}/dashboard/billing/subscription`, token.key)).json()
      expect(subscription).toEqual({
        object: 'billing_subscription',
        has_payment_method: true,
        soft_limit_usd: 5,
        hard_limit_usd: 5,
        system_hard_limit_usd: 5,
        access_until: 1893456000,
      })
      const usage = await (await get(`${prefix}/dashboard/billing/usage?start_date=2026-01-01&end_date=2026-12-31`, token.key)).json()
      expect(usage).toEqual({ object: 'list', total_usage: 15 })
    }
  })

  test("an unlimited key reports its owner's balance", async () => {
    const userId = await gateway.createUser({ username: 'billing-unlimited', quota: 1_000_000 })
    const token = await gateway.createToken({ userId, unlimited: true })
    expect(await (await get('/v1/dashboard/billing/subscription', token.key)).json()).toMatchObject({ hard_limit_usd: 2, access_until: 0 })
  })

  test("a wrong key gets OpenAI's 401", async () => {
    const response = await get('/v1/dashboard/billing/subscription', 'sk-wrong')
    expect(response.status).toBe(401)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key')
  })
})
