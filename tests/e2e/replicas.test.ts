import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startReplicas, type ReplicaSet } from '../support/replicas.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { priceUsage } from '../../core/billing/price-usage.ts'
import { openAIPricing } from '../../plugins/openai/pricing.ts'

// Two gateway processes on one PostgreSQL and one Redis: quota is never overspent, whichever
// replica a request lands on.

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL

describe.skipIf(!databaseUrl || !redisUrl)('two replicas sharing PostgreSQL and Redis', () => {
  let set: ReplicaSet
  let fake: FakeOpenAI

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    set = await startReplicas({ count: 2, databaseUrl: databaseUrl ?? '', redisUrl: redisUrl ?? '' })
    await set.admin(0, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
  }, 60_000)
  afterAll(async () => {
    await set?.stop()
    await fake?.stop()
  })

  test('500 parallel requests on a token funded for exactly K of them: exactly K succeed, the balance ends at 0', async () => {
    // The fake reports exactly what the gateway estimates for this prompt ("hi" = 7 tokens with framing)
    // plus max_tokens, so every reservation equals the real cost.
    fake.setDefault({ kind: 'usage', usage: { prompt_tokens: 7, completion_tokens: 100, total_tokens: 107 } })
    const cost = priceUsage(
      { inputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 0 },
      openAIPricing['gpt-4o-mini*']!,
      1,
    ).units
    const funded = 40
    const user = await set.admin<{ id: number }>(0, 'POST', '/api/users', { username: 'replica-user', password: 'password-123', quota: 1_000_000_000 })
    const token = await set.admin<{ id: number; key: string }>(1, 'POST', '/api/tokens', { name: 'shared', userId: user.id, quota: funded * cost })
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    const statuses = await Promise.all(
      Array.from({ length: 500 }, async (_, index) => {
        const response = await fetch(`${set.replicas[index % 2]!.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.key}` },
          body,
        })
        await response.arrayBuffer()
        return response.status
      }),
    )
    const histogram = Object.fromEntries([...new Set(statuses)].map((status) => [status, statuses.filter((entry) => entry === status).length]))
    expect(JSON.stringify(histogram)).toBe(JSON.stringify({ 200: funded, 403: 500 - funded }))
    expect(statuses.filter((status) => status === 200).length).toBe(funded)
    expect(statuses.filter((status) => status === 403).length).toBe(500 - funded)
    const after = await set.admin<{ remainQuota: number; usedQuota: number }>(0, 'GET', `/api/tokens/${token.id}`)
    expect(after).toMatchObject({ remainQuota: 0, usedQuota: funded * cost })
  }, 60_000)

  test('a channel disabled on one replica stops receiving traffic on the other within one second', async () => {
    await set.admin(0, 'PATCH', '/api/options', { modelPrices: { 'propagation-model': { inputPerMTok: 1, outputPerMTok: 1 } } })
    const channel = await set.admin<{ id: number }>(0, 'POST', '/api/channels', {
      name: 'propagation',
      type: 'openai',
      key: 'sk-up',
      baseUrl: fake.url,
      models: ['propagation-model'],
    })
    const token = await set.admin<{ key: string }>(0, 'POST', '/api/tokens', { name: 'propagation', quota: 10_000_000 })
    const call = () =>
      fetch(`${set.replicas[1]!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.key}` },
        body: JSON.stringify({ model: 'propagation-model', messages: [{ role: 'user', content: 'hi' }] }),
      })
    fake.setDefault({ kind: 'fixture' })
    // The new channel reaches the other replica by the same broadcast, also within a second.
    const created = Date.now()
    let first = 0
    while (first !== 200 && Date.now() - created < 2000) {
      const response = await call()
      await response.arrayBuffer()
      first = response.status
      if (first !== 200) await Bun.sleep(20)
    }
    expect(first).toBe(200)
    expect(Date.now() - created).toBeLessThan(1000)
    await set.admin(0, 'PATCH', `/api/channels/${channel.id}`, { status: 'manually-disabled' })
    const started = Date.now()
    let status = 200
    while (status !== 503 && Date.now() - started < 2000) {
      const response = await call()
      await response.arrayBuffer()
      status = response.status
      if (status !== 503) await Bun.sleep(20)
    }
    expect(status).toBe(503)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  test('a per-user limit of N per minute admits exactly N across both replicas', async () => {
    fake.setDefault({ kind: 'fixture' })
    await set.admin(1, 'PATCH', '/api/options', { rateLimits: { userModelTotal: 10, windowSeconds: 60 } })
    const user = await set.admin<{ id: number }>(0, 'POST', '/api/users', { username: 'limited-replica-user', password: 'password-123', quota: 1_000_000_000 })
    const token = await set.admin<{ key: string }>(0, 'POST', '/api/tokens', { name: 'limited', userId: user.id, quota: 100_000_000 })
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, index) => {
        const response = await fetch(`${set.replicas[index % 2]!.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.key}` },
          body,
        })
        await response.arrayBuffer()
        return response.status
      }),
    )
    expect(statuses.filter((status) => status === 200).length).toBe(10)
    expect(statuses.filter((status) => status === 429).length).toBe(30)
    await set.admin(0, 'PATCH', '/api/options', { rateLimits: { userModelTotal: 0 } })
  })
})
