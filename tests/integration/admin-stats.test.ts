import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'

// Usage statistics come from hourly rollups kept in step with the usage logs.

interface Point {
  time: string
  key: string
  requests: number
  promptTokens: number
  completionTokens: number
  quota: number
}

for (const backend of testBackends) {
  describe(`usage statistics (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let aliceId: number

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini', 'gpt-4o'] })
      aliceId = await gateway.createUser({ username: 'alice', quota: 100_000_000 })
      const bobId = await gateway.createUser({ username: 'bob', quota: 100_000_000 })
      const alice = await gateway.createToken({ userId: aliceId, quota: 10_000_000 })
      const bob = await gateway.createToken({ userId: bobId, quota: 10_000_000 })
      fake.setDefault({ kind: 'usage', usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 } })
      const call = (key: string, model: string) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        })
      for (let i = 0; i < 3; i++) expect((await call(alice.key, 'gpt-4o-mini')).status).toBe(200)
      for (let i = 0; i < 2; i++) expect((await call(bob.key, 'gpt-4o')).status).toBe(200)
      await gateway.logs()
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })

    const range = () => {
      const now = Date.now()
      return `from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`
    }

    test('by model, the rollups match the usage logs exactly', async () => {
      const { items } = await gateway.admin<{ items: Point[] }>('GET', `/api/stats?${range()}&groupBy=model&bucket=day`)
      const byModel = Object.fromEntries(items.map((point) => [point.key, point]))
      expect(byModel['gpt-4o-mini']).toMatchObject({ requests: 3, promptTokens: 3000, completionTokens: 300 })
      expect(byModel['gpt-4o']).toMatchObject({ requests: 2, promptTokens: 2000, completionTokens: 200 })
      const logs = await gateway.logs({ type: 'consume' })
      expect(items.reduce((sum, point) => sum + point.quota, 0)).toBe(logs.reduce((sum, entry) => sum + Number(entry.quota), 0))
    })

    test('a user sees only their own numbers', async () => {
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'password-123' }),
      })
      const token = ((await login.json()) as { accessToken: string }).accessToken
      const response = await fetch(`${gateway.url}/api/stats?${range()}&groupBy=user&userId=1`, { headers: { authorization: `Bearer ${token}` } })
      const { items } = (await response.json()) as { items: Point[] }
      expect(items.map((point) => [point.key, point.requests])).toEqual([[String(aliceId), 3]])
    })
  })
}
