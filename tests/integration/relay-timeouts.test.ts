import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// STREAMING_TIMEOUT bounds upstream silence; the client's disconnect reaches the upstream.

describe('timeouts and disconnects', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI
  let key: string
  let tokenId: number

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway({}, { streamingTimeoutSeconds: 1 })
    await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    const userId = await gateway.createUser({ username: 'timeouts', quota: 10_000_000 })
    const token = await gateway.createToken({ userId, quota: 1_000_000 })
    key = token.key
    tokenId = token.id
  })
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })
  beforeEach(() => fake.reset())

  const call = (body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal,
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body }),
    })

  test('an upstream that never answers → 504 upstream_timeout, nothing charged', async () => {
    const before = await gateway.tokenBalance(tokenId)
    fake.queue({ kind: 'hang' })
    const response = await call({})
    expect(response.status).toBe(504)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout')
    expect(await gateway.tokenBalance(tokenId)).toEqual(before)
  })

  test('a stream that goes silent ends with an upstream_timeout error event and bills what was delivered', async () => {
    fake.queue({ kind: 'stream-gap', gapMs: 1500 })
    const text = await (await call({ stream: true })).text()
    const events = text.split('\n\n').filter(Boolean)
    expect(events.length).toBe(2)
    expect(JSON.parse(events[1]!.replace(/^data: /, ''))).toMatchObject({ error: { code: 'upstream_timeout' } })
    await gateway.services.inflight.drain(5000)
    const [row] = await gateway.logs({ type: 'consume', tokenId })
    expect((row!.details as { outcome: string }).outcome).toBe('timeout')
    expect(Number(row?.quota)).toBeGreaterThan(0)
  })

  test('a client that leaves a non-stream call aborts the upstream request and is not charged', async () => {
    const before = await gateway.tokenBalance(tokenId)
    fake.queue({ kind: 'slow', delayMs: 800 })
    const controller = new AbortController()
    const pending = call({}, controller.signal).catch(() => 'aborted')
    for (let i = 0; i < 50 && fake.requests.length === 0; i++) await Bun.sleep(10)
    controller.abort()
    expect(await pending).toBe('aborted')
    await gateway.services.inflight.drain(5000)
    expect(gateway.services.inflight.count()).toBe(0)
    expect(await gateway.tokenBalance(tokenId)).toEqual(before)
    const errors = await gateway.logs({ type: 'error', tokenId })
    expect(errors[0]?.statusCode).toBe(499)
  })
})
