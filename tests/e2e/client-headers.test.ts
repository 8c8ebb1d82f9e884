import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'

// Vendor headers meant for clients (Anthropic betas) pass through with same-dialect calls; auth never does.

describe('client headers on passthrough', () => {
  let gateway: TestGateway
  let anthropic: FakeAnthropic
  let key: string

  beforeAll(async () => {
    anthropic = await startFakeAnthropic()
    gateway = await startGateway()
    await gateway.createChannel({
      name: 'claude',
      type: 'claude',
      key: 'sk-ant-upstream',
      baseUrl: anthropic.url,
      models: ['claude-sonnet-4-5'],
      settings: { betaHeaders: ['prompt-caching-2024-07-31'] },
    })
    key = (await gateway.createToken({ name: 'headers', quota: 10_000_000 })).key
  })
  afterAll(async () => {
    await gateway.stop()
    await anthropic.stop()
  })

  test("a Claude client's anthropic-beta reaches Anthropic next to the channel's own betas; its key does not", async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14, prompt-caching-2024-07-31' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(response.status).toBe(200)
    const sent = anthropic.requests.at(-1)?.headers ?? {}
    expect(sent['anthropic-beta']).toBe('prompt-caching-2024-07-31,interleaved-thinking-2025-05-14')
    expect(sent['x-api-key']).toBe('sk-ant-upstream')
  })

  test('converted calls do not carry client headers', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'anthropic-beta': 'interleaved-thinking-2025-05-14' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(response.status).toBe(200)
    expect(anthropic.requests.at(-1)?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31')
  })
})
