import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { retestDisabledChannels } from '../../core/jobs/channel-retests.ts'

// Multi-key channels and channel health: keys and channels leave rotation on their own and come back.

interface ChannelView {
  status: string
  statusReason: string | null
  disabledKeys: Array<{ reason: string }>
  testLatencyMs: number | null
}

describe('multi-key channels and channel health', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI
  let key: string

  beforeAll(async () => {
    fake = await startFakeOpenAI({ keys: ['key-a', 'key-c', 'key-solo'] })
    gateway = await startGateway()
    key = (await gateway.createToken({ name: 'health', quota: 100_000_000 })).key
  })
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })
  beforeEach(() => fake.reset())

  const call = (model: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })
  const keysSeen = () => fake.requests.map((request) => request.headers.authorization?.replace('Bearer ', ''))
  const channel = (id: number) => gateway.admin<ChannelView>('GET', `/api/channels/${id}`)

  test('round-robin spreads calls over every key in turn', async () => {
    await gateway.createChannel({ name: 'rr', type: 'openai', key: 'key-a\nkey-c', keyMode: 'round-robin', baseUrl: fake.url, models: ['rr-model'] })
    await gateway.admin('PATCH', '/api/options', {
      modelPrices: {
        'rr-model': { inputPerMTok: 1 },
        'multi-model': { inputPerMTok: 1 },
        'solo-model': { inputPerMTok: 1 },
        'flaky-model': { inputPerMTok: 1 },
      },
    })
    for (let i = 0; i < 4; i++) expect((await call('rr-model')).status).toBe(200)
    expect(keysSeen()).toEqual(['key-a', 'key-c', 'key-a', 'key-c'])
  })

  test('a revoked key (401) leaves rotation on its own; the channel keeps serving with the others', async () => {
    const id = await gateway.createChannel({
      name: 'multi',
      type: 'openai',
      key: 'key-a\nkey-revoked\nkey-c',
      keyMode: 'round-robin',
      baseUrl: fake.url,
      models: ['multi-model'],
    })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await call('multi-model')).status)
    expect(statuses.filter((status) => status !== 200)).toEqual([502])
    expect(keysSeen().filter((seen) => seen === 'key-revoked').length).toBe(1)
    const view = await channel(id)
    expect(view.status).toBe('enabled')
    expect(view.disabledKeys.length).toBe(1)
    expect(view.disabledKeys[0]?.reason).toContain('401')
    const logs = await gateway.logs({ type: 'system' })
    expect(logs.some((entry) => String(entry.content).includes(`channel ${id} "multi": key 2 of 3 auto-disabled`))).toBe(true)
  })

  test('when the only key is revoked the channel goes down, and a passing scheduled test brings it back', async () => {
    const id = await gateway.createChannel({ name: 'solo', type: 'openai', key: 'key-solo', baseUrl: fake.url, models: ['solo-model'] })
    fake.queue({
      kind: 'status',
      status: 429,
      body: {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    })
    expect((await call('solo-model')).status).toBe(429)
    expect((await channel(id)).status).toBe('auto-disabled')
    expect((await call('solo-model')).status).toBe(503)

    const reenabled = await retestDisabledChannels(gateway.context, gateway.services.directory, gateway.services.health)
    expect(reenabled).toContain(id)
    const view = await channel(id)
    expect(view.status).toBe('enabled')
    expect(view.testLatencyMs).not.toBeNull()
    expect((await call('solo-model')).status).toBe(200)
  })

  test('an ordinary rate limit worded like an exhausted quota does not take a key out', async () => {
    const id = await gateway.createChannel({ name: 'rate-limited', type: 'openai', key: 'key-a', baseUrl: fake.url, models: ['solo-model'], priority: 5 })
    fake.queue({
      kind: 'status',
      status: 429,
      body: {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details. See https://ai.google.dev/gemini-api/docs/rate-limits.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
    })
    await call('solo-model')
    expect((await channel(id)).status).toBe('enabled')
    expect((await channel(id)).disabledKeys).toEqual([])
    await gateway.admin('DELETE', `/api/channels/${id}`)
  })

  test('N failures in a row disable a channel; a failing scheduled test keeps it down', async () => {
    await gateway.admin('PATCH', '/api/options', { channelHealth: { maxConsecutiveFailures: 3 } })
    const id = await gateway.createChannel({ name: 'flaky', type: 'openai', key: 'key-a', baseUrl: fake.url, models: ['flaky-model'] })
    fake.setDefault({ kind: 'status', status: 500 })
    for (let i = 0; i < 3; i++) expect((await call('flaky-model')).status).toBe(502)
    const view = await channel(id)
    expect(view.status).toBe('auto-disabled')
    expect(view.statusReason).toContain('3 failures in a row')
    expect(await retestDisabledChannels(gateway.context, gateway.services.directory, gateway.services.health)).not.toContain(id)
    expect((await channel(id)).status).toBe('auto-disabled')
    fake.setDefault({ kind: 'fixture' })
    await gateway.admin('PATCH', `/api/channels/${id}`, { status: 'enabled' })
    expect((await call('flaky-model')).status).toBe(200)
  })

  test('the manual test reports status and latency', async () => {
    const id = await gateway.createChannel({ name: 'manual', type: 'openai', key: 'key-c', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    const result = await gateway.admin<{ ok: boolean; status: number; latencyMs: number; model: string }>('POST', `/api/channels/${id}/test`, {})
    expect(result).toMatchObject({ ok: true, status: 200, model: 'gpt-4o-mini' })
    expect(fake.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1 })
    const failing = await gateway.createChannel({ name: 'manual-bad', type: 'openai', key: 'not-accepted', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    expect(await gateway.admin('POST', `/api/channels/${failing}/test`, {})).toMatchObject({ ok: false, status: 401 })
  })
})
