import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// Retryable failures move to the next channel before any byte reached the client.

describe('failover between channels', () => {
  let gateway: TestGateway
  let primary: FakeOpenAI
  let backup: FakeOpenAI
  let key: string
  let tokenId: number
  let primaryId: number

  beforeAll(async () => {
    primary = await startFakeOpenAI()
    backup = await startFakeOpenAI()
    gateway = await startGateway({}, { streamingTimeoutSeconds: 1 })
    primaryId = await gateway.createChannel({ name: 'primary', type: 'openai', key: 'sk-a', baseUrl: primary.url, models: ['gpt-4o-mini'], priority: 10 })
    await gateway.createChannel({ name: 'backup', type: 'openai', key: 'sk-b', baseUrl: backup.url, models: ['gpt-4o-mini'], priority: 0 })
    const token = await gateway.createToken({ name: 'failover', quota: 10_000_000 })
    key = token.key
    tokenId = token.id
  })
  afterAll(async () => {
    await gateway.stop()
    await primary.stop()
    await backup.stop()
  })
  beforeEach(async () => {
    primary.reset()
    backup.reset()
    // A revoked key takes the primary out of rotation (channel health); each test starts with it back in.
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { status: 'enabled' })
  })

  const call = () =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })

  test('the higher priority tier is used while it works', async () => {
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 0])
  })

  test.each([
    ['a 500', { kind: 'status' as const, status: 500 }],
    ['a 429', { kind: 'status' as const, status: 429 }],
    ['a revoked key (401)', { kind: 'status' as const, status: 401 }],
  ])('%s on the primary is retried on the backup', async (_name, scenario) => {
    primary.queue(scenario)
    const response = await call()
    expect(response.status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
  })

  test('the primary whose only key was revoked is disabled and skipped until re-enabled', async () => {
    primary.queue({ kind: 'status', status: 401 })
    expect((await call()).status).toBe(200)
    expect((await gateway.admin<{ status: string }>('GET', `/api/channels/${primaryId}`)).status).toBe('auto-disabled')
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 2])
  })

  test('an upstream that does not answer in time is abandoned for the backup', async () => {
    primary.queue({ kind: 'hang' })
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
  })

  test('a connection that breaks before any byte reached the client fails over', async () => {
    primary.queue({ kind: 'reset-mid-stream', afterChunks: 0 })
    const response = await call()
    expect(response.status).toBe(200)
    expect(((await response.json()) as { object: string }).object).toBe('chat.completion')
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
  })

  test("a 400 is the client's problem and is not retried", async () => {
    primary.queue({ kind: 'status', status: 400 })
    expect((await call()).status).toBe(400)
    expect(backup.requests.length).toBe(0)
  })

  test('statusCodeMapping turns a 400 into a retryable 500', async () => {
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { statusCodeMapping: { '400': '500' } })
    primary.queue({ kind: 'status', status: 400 })
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { statusCodeMapping: {} })
  })

  test('the retryable statuses are an option', async () => {
    await gateway.admin('PATCH', '/api/options', { retryableStatuses: '429' })
    primary.queue({ kind: 'status', status: 500 })
    expect((await call()).status).toBe(502)
    expect(backup.requests.length).toBe(0)
    await gateway.admin('PATCH', '/api/options', { retryableStatuses: '400,429,500-599' })
    primary.queue({ kind: 'status', status: 400 })
    expect((await call()).status).toBe(200)
    expect(backup.requests.length).toBe(1)
    const refused = await gateway.adminResponse('PATCH', '/api/options', { retryableStatuses: 'five hundred' })
    expect(refused.status).toBe(400)
    await gateway.admin('PATCH', '/api/options', { retryableStatuses: '401,403,429,500-503,505-523,525-599' })
  })

  test('when every channel fails the client gets a clear 502 and pays nothing', async () => {
    primary.queue({ kind: 'status', status: 503 })
    backup.queue({ kind: 'status', status: 500 })
    const before = await gateway.tokenBalance(tokenId)
    const response = await call()
    expect(await gateway.tokenBalance(tokenId)).toEqual(before)
    expect(response.status).toBe(502)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_error')
  })
})
