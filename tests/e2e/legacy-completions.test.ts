import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'
import { loadChunks, loadFixture } from '../support/fixtures.ts'

// `/v1/completions` for models and upstreams that only chat: the official SDK's legacy completions
// get a text_completion answer converted from the chat answer (prompt → one user message, the message
// text → choices[].text, usage and finish_reason mapped), streaming included. A known chat-only model
// goes to the chat endpoint at once; an unknown one is tried on /completions and, on the upstream's 404,
// through chat on the same channel. What a chat model cannot honour is refused with a 400.

const CHAT_TEXT = "Hello! The capital of France is Paris. It has been the country's capital for most of its history."

interface ChatChunk {
  choices: Array<{ delta?: { content?: string | null } }>
}

/** The text the chat stream fixture sends, chunk by chunk. */
const streamedChatText = () =>
  loadChunks<ChatChunk>('openai', 'openai-chat-text.chunks.txt')
    .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
    .join('')

describe('legacy completions on chat-only upstreams', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI
  let anthropic: FakeAnthropic
  let client: OpenAI
  let key: string
  let tokenId: number

  beforeAll(async () => {
    // Like OpenAI itself: /v1/completions serves the instruct model only.
    fake = await startFakeOpenAI({ completionModels: ['gpt-3.5-turbo-instruct'] })
    anthropic = await startFakeAnthropic()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'claude', type: 'claude', key: 'sk-ant', baseUrl: anthropic.url, models: ['claude-sonnet-4-5'] })
    await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini', 'gpt-3.5-turbo-instruct'] })
    await gateway.createChannel({ name: 'vendor', type: 'openai-compatible', key: 'sk-up', baseUrl: fake.url, models: ['vendor-chat-1'] })
    await gateway.admin('PATCH', '/api/options', { selfUseMode: true })
    const token = await gateway.createToken({ name: 'legacy', quota: 50_000_000 })
    key = token.key
    tokenId = token.id
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
    await anthropic.stop()
  })
  beforeEach(() => fake.reset())

  const paths = () => fake.requests.map((request) => request.path)

  test('a known chat model goes straight to chat; the answer is a text_completion with usage and finish_reason', async () => {
    const completion = await client.completions.create({
      model: 'gpt-4o-mini',
      prompt: 'Capital of France?',
      max_tokens: 40,
      stop: ['\n\n'],
      temperature: 0.2,
      logit_bias: { '50256': -100 },
    })
    expect(paths()).toEqual(['/v1/chat/completions'])
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      max_completion_tokens: 40,
      stop: ['\n\n'],
      temperature: 0.2,
      logit_bias: { '50256': -100 },
    })
    expect(completion.object).toBe('text_completion')
    expect(completion.id).toMatch(/^cmpl-/)
    expect(completion.choices).toEqual([{ text: CHAT_TEXT, index: 0, logprobs: null, finish_reason: 'stop' }])
    expect(completion.usage).toEqual({ prompt_tokens: 24, completion_tokens: 22, total_tokens: 46 })
    const [row] = await gateway.logs({ type: 'consume', tokenId })
    expect(row).toMatchObject({ model: 'gpt-4o-mini', promptTokens: 24, completionTokens: 22 })
  })

  test('streaming: text chunks, the finish reason, usage only when asked, then [DONE]', async () => {
    const stream = await client.completions.create({ model: 'gpt-4o-mini', prompt: 'Capital of France?', max_tokens: 40, stream: true })
    let text = ''
    let finish: string | null = null
    let usageChunks = 0
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion')
      text += chunk.choices[0]?.text ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usageChunks += 1
    }
    expect(text).toBe(streamedChatText())
    expect(finish).toBe('stop')
    expect(usageChunks).toBe(0)
    expect(paths()).toEqual(['/v1/chat/completions'])

    const withUsage = await client.completions.create({
      model: 'gpt-4o-mini',
      prompt: 'Capital of France?',
      stream: true,
      stream_options: { include_usage: true },
    })
    let usage: OpenAI.Completions.CompletionUsage | undefined
    for await (const chunk of withUsage) usage = chunk.usage ?? usage
    expect(usage?.total_tokens).toBeGreaterThan(0)
  })

  test('without max_tokens the legacy default of 16 applies, as on /v1/completions', async () => {
    await client.completions.create({ model: 'gpt-4o-mini', prompt: 'Capital of France?' })
    expect(fake.requests[0]?.body?.max_completion_tokens).toBe(16)
  })

  test('n=2 returns two choices', async () => {
    const completion = await client.completions.create({ model: 'gpt-4o-mini', prompt: 'Haiku opening', n: 2, max_tokens: 20 })
    expect(fake.requests[0]?.body?.n).toBe(2)
    expect(completion.choices.map((choice) => [choice.index, choice.text])).toEqual([
      [0, 'Sunlight on water.'],
      [1, 'Morning fog lifting.'],
    ])
  })

  test("an unknown model is tried on /completions first; the upstream's 404 sends it through chat on the same channel", async () => {
    const completion = await client.completions.create({ model: 'vendor-chat-1', prompt: 'Capital of France?', max_tokens: 40 })
    expect(paths()).toEqual(['/v1/completions', '/v1/chat/completions'])
    expect(completion.choices[0]?.text).toBe(CHAT_TEXT)

    fake.reset()
    const stream = await client.completions.create({ model: 'vendor-chat-1', prompt: 'Capital of France?', max_tokens: 40, stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? ''
    expect(text).toBe(streamedChatText())
    expect(paths()).toEqual(['/v1/completions', '/v1/chat/completions'])
    const channels = await gateway.admin<{ items: Array<{ name: string; status: string }> }>('GET', '/api/channels')
    expect(channels.items.find((channel) => channel.name === 'vendor')?.status).toBe('enabled')
  })

  test('a model that has legacy completions still passes through to /completions', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16 })
    expect(paths()).toEqual(['/v1/completions'])
    expect(completion.choices[0]?.text).toBe(loadFixture<{ choices: Array<{ text: string }> }>('openai', 'openai-completions.json').choices[0]?.text)
  })

  test('a channel type without legacy completions at all (Claude) is reached through its Messages API', async () => {
    const completion = await client.completions.create({ model: 'claude-sonnet-4-5', prompt: 'Capital of France?', max_tokens: 50 })
    expect(anthropic.requests.at(-1)?.path).toBe('/v1/messages')
    expect(anthropic.requests.at(-1)?.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user' }] })
    expect(completion.object).toBe('text_completion')
    expect(completion.choices).toEqual([{ text: 'The capital of France is Paris.', index: 0, logprobs: null, finish_reason: 'stop' }])
    expect(completion.usage).toEqual({ prompt_tokens: 14, completion_tokens: 10, total_tokens: 24 })
  })

  test('what a chat model cannot honour is refused with a 400 naming the parameter, and costs nothing', async () => {
    const before = await gateway.tokenBalance(tokenId)
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ suffix: ' and that is all.' }, 'suffix'],
      [{ echo: true }, 'echo'],
      [{ logprobs: 2 }, 'logprobs'],
      [{ best_of: 3 }, 'best_of'],
      [{ prompt: ['first', 'second'] }, 'prompt'],
      [{ prompt: [1, 2, 3] }, 'prompt'],
    ]
    for (const [extra, param] of cases) {
      const response = await fetch(`${gateway.url}/v1/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', prompt: 'Capital of France?', max_tokens: 10, ...extra }),
      })
      const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string } }
      expect({ param, status: response.status, type: body.error.type, errorParam: body.error.param }).toEqual({
        param,
        status: 400,
        type: 'invalid_request_error',
        errorParam: param,
      })
      expect(body.error.message).toContain('cannot be honoured')
    }
    expect(fake.requests).toEqual([])
    await gateway.logs()
    expect(await gateway.tokenBalance(tokenId)).toEqual(before)
  })
})
