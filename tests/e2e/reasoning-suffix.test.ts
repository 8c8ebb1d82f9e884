import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini.ts'

// Model-name suffixes set reasoning and are removed before the upstream call.

describe('reasoning suffixes', () => {
  let gateway: TestGateway
  let anthropic: FakeAnthropic
  let gemini: FakeGemini
  let client: OpenAI

  beforeAll(async () => {
    anthropic = await startFakeAnthropic()
    gemini = await startFakeGemini()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'claude', type: 'claude', key: 'sk-ant', baseUrl: anthropic.url, models: ['claude-sonnet-4-5-thinking'] })
    await gateway.createChannel({
      name: 'gemini',
      type: 'gemini',
      key: 'g-key',
      baseUrl: gemini.url,
      models: ['gemini-2.5-flash-thinking-2048', 'gemini-2.5-flash-nothinking', 'gemini-2.5-flash-high'],
    })
    client = new OpenAI({ apiKey: (await gateway.createToken({ name: 'suffix', quota: 100_000_000 })).key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
    await anthropic.stop()
    await gemini.stop()
  })
  beforeEach(() => {
    anthropic.reset()
    gemini.reset()
  })

  const ask = (model: string, extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Think about it.' }], ...extra })

  test('Claude -thinking: extended thinking with 80% of max_tokens, temperature left to the default', async () => {
    await ask('claude-sonnet-4-5-thinking', { max_tokens: 10_000, temperature: 0.2 })
    const body = anthropic.requests.at(-1)?.body as Record<string, unknown>
    expect(body.model).toBe('claude-sonnet-4-5')
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8000 })
    expect(body.max_tokens).toBe(10_000)
    expect(body.temperature === undefined || body.temperature === 1).toBe(true)
  })

  test('Claude -thinking without max_tokens: 8192 with a 6553-token budget', async () => {
    await ask('claude-sonnet-4-5-thinking')
    const body = anthropic.requests.at(-1)?.body as Record<string, unknown>
    expect(body).toMatchObject({ max_tokens: 8192, thinking: { type: 'enabled', budget_tokens: 6553 } })
  })

  test('Claude thinking comes back as reasoning_content', async () => {
    const completion = await ask('claude-sonnet-4-5-thinking')
    expect((completion.choices[0]!.message as { reasoning_content?: string }).reasoning_content?.length).toBeGreaterThan(0)
  })

  test('Gemini -thinking-2048 and -nothinking set the thinking budget; -high sets a budget too', async () => {
    await ask('gemini-2.5-flash-thinking-2048')
    expect(gemini.requests.at(-1)?.path).toContain('/models/gemini-2.5-flash:generateContent')
    expect((gemini.requests.at(-1)!.body as { generationConfig?: { thinkingConfig?: unknown } }).generationConfig?.thinkingConfig).toMatchObject({
      thinkingBudget: 2048,
      includeThoughts: true,
    })
    await ask('gemini-2.5-flash-nothinking')
    expect((gemini.requests.at(-1)!.body as { generationConfig?: { thinkingConfig?: unknown } }).generationConfig?.thinkingConfig).toMatchObject({
      thinkingBudget: 0,
    })
    await ask('gemini-2.5-flash-high')
    const high = (gemini.requests.at(-1)!.body as { generationConfig?: { thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string } } })
      .generationConfig?.thinkingConfig
    expect(high?.thinkingBudget !== undefined || high?.thinkingLevel !== undefined).toBe(true)
  })
})
