import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import createClient from 'openapi-fetch'
import OpenAI from 'openai'
import type { paths } from '../../schemas/generated/admin-api.d.ts'
import { CLIENT_TYPES_PATH, clientTypes, openApiDocument } from '../../scripts/generate-api-client.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// An operator's day through a client generated from /swagger/json (openapi-typescript + openapi-fetch):
// the same client the dashboard uses, so a route missing from the document cannot be used.

describe('generated admin API client', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway()
  })
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })

  test('the committed client types match the document the server serves', async () => {
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(await clientTypes(await openApiDocument()))
  })

  test('an operator scenario end to end', async () => {
    const root = createClient<paths>({ baseUrl: gateway.url, headers: { authorization: `Bearer ${gateway.context.config.rootAccessToken}` } })

    const user = await root.POST('/api/users', { body: { username: 'scenario-user', password: 'password-123', group: 'vip', quota: 0 } })
    expect(user.response.status).toBe(201)
    const group = await root.PUT('/api/groups/{name}', { params: { path: { name: 'vip' } }, body: { ratio: 0.5, description: 'half price' } })
    expect(group.data).toMatchObject({ name: 'vip', ratio: 0.5, description: 'half price', userCount: 1 })

    const channel = await root.POST('/api/channels', {
      body: { name: 'scenario', type: 'openai', key: 'sk-upstream', baseUrl: fake.url, models: ['gpt-4o-mini'], groups: ['default', 'vip'] },
    })
    expect(channel.data?.keys).toEqual(['sk-…ream'])
    const codes = await root.POST('/api/redemptions', { body: { name: 'scenario credit', quota: 1_000_000, count: 1 } })
    const code = codes.data?.items[0]?.code ?? ''

    const login = await root.POST('/api/auth/login', { body: { username: 'scenario-user', password: 'password-123' } })
    const asUser = createClient<paths>({ baseUrl: gateway.url, headers: { authorization: `Bearer ${login.data?.accessToken}` } })
    const redeemed = await asUser.POST('/api/redemptions/redeem', { body: { code } })
    expect(redeemed.data).toEqual({ quota: 1_000_000, balance: 1_000_000 })
    const token = await asUser.POST('/api/tokens', { body: { name: 'scenario key', quota: 500_000 } })
    const key = token.data?.key ?? ''

    fake.queue({ kind: 'usage', usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 } })
    const relay = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    await relay.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    await gateway.services.inflight.drain(5000)
    await gateway.context.logWriter.flush()

    // 1M input tokens of gpt-4o-mini = 0.15 USD = 75,000 units, at the vip ratio 0.5 → 37,500.
    const logs = await asUser.GET('/api/logs', { params: { query: { type: 'consume' } } })
    expect(logs.data?.items.map((entry) => [entry.model, entry.quota, entry.group])).toEqual([['gpt-4o-mini', 37_500, 'vip']])
    const me = await asUser.GET('/api/users/me')
    expect(me.data?.quota).toBe(1_000_000 - 37_500)
    const pricing = await root.GET('/api/pricing')
    expect(pricing.data?.items.map((item) => item.model)).toEqual(['gpt-4o-mini'])
    expect(pricing.data?.groupRatios).toMatchObject({ default: 1, vip: 0.5 })

    const day = new Date(Date.now() - 86_400_000).toISOString()
    const stats = await asUser.GET('/api/stats', {
      params: { query: { from: day, to: new Date(Date.now() + 3_600_000).toISOString(), bucket: 'day', groupBy: 'model' } },
    })
    expect(stats.data?.items.map((point) => [point.key, point.requests, point.quota])).toEqual([['gpt-4o-mini', 1, 37_500]])

    const renamed = await root.PATCH('/api/options', { body: { general: { siteName: 'Scenario Gateway' } } })
    expect(renamed.data?.general.siteName).toBe('Scenario Gateway')
    const status = await asUser.GET('/api/status')
    expect(status.data?.siteName).toBe('Scenario Gateway')
  })
})
