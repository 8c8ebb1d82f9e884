import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testConfig } from '../support/context.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// Plugin contract 1.5: a plugin may declare a dialect's client role alone (examples/plugins/memo, loaded through
// PLUGINS as a third party ships it). Memo clients reach an OpenAI channel, which never speaks Memo: every call is
// decoded into the hub and sent as OpenAI chat, and the answer comes back in Memo's shape, billed from OpenAI's usage.

describe('a client-only dialect', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI
  let key: string
  let userId: number

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway({}, { plugins: testConfig({}, { PLUGINS: './examples/plugins/memo' }).plugins })
    await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    userId = await gateway.createUser({ username: 'memo-writer', quota: 50_000_000 })
    key = (await gateway.createToken({ name: 'memo', userId, unlimited: true })).key
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })

  const memo = (body: unknown) =>
    fetch(`${gateway.url}/memo/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  test('reaches an OpenAI channel converted, whole and streamed, and is billed from the upstream usage', async () => {
    fake.queue({ kind: 'usage', usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 } })
    const before = await gateway.balance(userId)
    const response = await memo({ model: 'gpt-4o-mini', system: 'Be brief', prompt: 'hello' })
    expect(response.status).toBe(200)
    const answer = (await response.json()) as { model: string; text: string; usage: { prompt: number; answer: number } }
    expect(answer.text.length).toBeGreaterThan(0)
    expect(answer.usage).toEqual({ prompt: 1_000_000, answer: 0 })
    // Sent as OpenAI chat, built by the hub from Memo's fields (not Memo's body passed through).
    const sent = fake.requests.at(-1)!
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'hello' },
      ],
    })
    expect(sent.body).not.toHaveProperty('prompt')
    // 1M input tokens of gpt-4o-mini = 0.15 USD = 75,000 units.
    expect((await gateway.balance(userId)).usedQuota - before.usedQuota).toBe(75_000)

    const streamed = await memo({ model: 'gpt-4o-mini', prompt: 'hello', stream: true })
    expect(streamed.status).toBe(200)
    const events = (await streamed.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as { text?: string; done?: boolean })
    expect(events.some((event) => (event.text ?? '').length > 0)).toBe(true)
    expect(events.at(-1)).toMatchObject({ done: true })
    expect(fake.requests.at(-1)?.body).toMatchObject({ stream: true, messages: [{ role: 'user', content: 'hello' }] })
  })

  test('a body the schema refuses is a 400 in Memo’s error shape', async () => {
    const response = await memo({ model: 'gpt-4o-mini' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: "Missing required parameter: 'prompt'.", code: 'missing_required_parameter' })
  })
})
