import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// Rate limits answer 429 with Retry-After, in the API's own error shape.

describe('rate limits', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway()
    await gateway.createChannel({
      name: 'main',
      type: 'openai',
      key: 'sk-up',
      baseUrl: fake.url,
      models: ['gpt-4o-mini', 'gpt-4o'],
      groups: ['default', 'vip'],
    })
  })
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })
  beforeEach(() => fake.reset())

  const call = (key: string, model = 'gpt-4o-mini') =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })

  test('per user and model: the request over the limit gets 429 with Retry-After; other models are separate', async () => {
    await gateway.admin('PATCH', '/api/options', { rateLimits: { userModelTotal: 3, userModelSuccess: 0, windowSeconds: 60 } })
    const userId = await gateway.createUser({ username: 'limited-total', quota: 100_000_000 })
    const { key } = await gateway.createToken({ userId, quota: 10_000_000 })
    for (let i = 0; i < 3; i++) expect((await call(key)).status).toBe(200)
    const refused = await call(key)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(((await refused.json()) as { error: { code: string; type: string } }).error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' })
    expect((await call(key, 'gpt-4o')).status).toBe(200)
    expect(fake.requests.length).toBe(4)
  })

  test('the success limit counts only successful calls', async () => {
    await gateway.admin('PATCH', '/api/options', { rateLimits: { userModelTotal: 0, userModelSuccess: 2 } })
    const userId = await gateway.createUser({ username: 'limited-success', quota: 100_000_000 })
    const { key } = await gateway.createToken({ userId, quota: 10_000_000 })
    fake.queue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 })
    expect((await call(key)).status).toBe(502)
    expect((await call(key)).status).toBe(502)
    expect((await call(key)).status).toBe(200)
    expect((await call(key)).status).toBe(200)
    expect((await call(key)).status).toBe(429)
  })

  test('a group override replaces the default counts', async () => {
    await gateway.admin('PATCH', '/api/options', {
      rateLimits: { userModelTotal: 1, userModelSuccess: 0, groupOverrides: { vip: { userModelTotal: 3 } } },
      groupRatios: { default: 1, vip: 1 },
    })
    const vip = await gateway.createUser({ username: 'vip-user', quota: 100_000_000, group: 'vip' })
    const { key } = await gateway.createToken({ userId: vip, quota: 10_000_000 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await call(key)).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    await gateway.admin('PATCH', '/api/options', { rateLimits: { userModelTotal: 0, groupOverrides: {} } })
  })

  test('sign-in attempts are limited per address, in the admin error shape', async () => {
    await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 3 } })
    const attempt = () =>
      fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password: 'wrong-password' }),
      })
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401)
    const refused = await attempt()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).not.toBeNull()
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
  })
})
