import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// Streams converted through the hub (here: Responses clients → a Chat-only upstream) are relayed
// event by event, end with a well-formed error in the client's dialect when the upstream fails, and
// bill what was delivered.

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion.chunk',
  created: 1_748_736_000,
  model: 'deepseek-reasoner',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
})
const usageChunk = {
  id: 'chatcmpl-test',
  object: 'chat.completion.chunk',
  created: 1_748_736_000,
  model: 'deepseek-reasoner',
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
}

describe('streaming through the hub', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI
  let client: OpenAI
  let key: string
  let tokenId: number
  let thinkingChannel: number

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'compatible', type: 'openai-compatible', key: 'sk-up', baseUrl: fake.url, models: ['deepseek-chat'] })
    thinkingChannel = await gateway.createChannel({
      name: 'reasoner',
      type: 'openai-compatible',
      key: 'sk-up',
      baseUrl: fake.url,
      models: ['deepseek-reasoner'],
      thinkingToContent: true,
    })
    const token = await gateway.createToken({ name: 'conversion', quota: 10_000_000 })
    key = token.key
    tokenId = token.id
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
    await fake.stop()
  })
  beforeEach(() => fake.reset())

  test('the first client event arrives while the upstream is still streaming', async () => {
    fake.queue({ kind: 'stream-gap', gapMs: 150 })
    const stream = client.responses.stream({ model: 'deepseek-chat', input: 'Capital of France?' })
    const firstDelta = new Promise<number>((resolve) => stream.on('response.output_text.delta', () => resolve(fake.openStreams)))
    const openWhenFirstDeltaArrived = await firstDelta
    const final = await stream.finalResponse()
    expect(openWhenFirstDeltaArrived).toBe(1)
    expect(final.output_text).toBe("The capital of France is Paris. It's known for the Eiffel Tower.")
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions')
  })

  test('an upstream that breaks mid-stream ends the client stream with a Responses error event, billed for what was delivered', async () => {
    fake.queue({ kind: 'reset-mid-stream', afterChunks: 6 })
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'deepseek-chat', input: 'hi', stream: true }),
    })
    const text = await response.text()
    const events = text.split('\n\n').filter(Boolean)
    const last = events.at(-1) ?? ''
    expect(last.startsWith('event: error\n')).toBe(true)
    expect(JSON.parse(last.split('\ndata: ')[1] ?? '{}')).toMatchObject({ type: 'error', code: 'upstream_error' })
    expect(text).not.toContain('response.completed')
    expect(text).toContain('response.output_text.delta')
    await gateway.services.inflight.drain(5000)
    const [row] = await gateway.logs({ type: 'consume', tokenId })
    expect((row!.details as { outcome: string }).outcome).toBe('upstream-error')
    expect(Number(row?.completionTokens)).toBeGreaterThan(0)
  })

  test('a malformed upstream chunk becomes a well-formed error event for the client', async () => {
    fake.queue({ kind: 'malformed-chunk', afterChunks: 3 })
    const text = await (
      await fetch(`${gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'deepseek-chat', input: 'hi', stream: true }),
      })
    ).text()
    const last = text.split('\n\n').filter(Boolean).at(-1) ?? ''
    expect(JSON.parse(last.split('\ndata: ')[1] ?? '{}')).toMatchObject({ type: 'error', code: 'bad_upstream_response' })
  })

  test('thinkingToContent turns streamed reasoning into <think> content, even for a same-dialect client', async () => {
    fake.queue({
      kind: 'stream-gap',
      gapMs: 0,
      chunks: [
        chunk({ role: 'assistant', content: null, reasoning_content: '' }),
        chunk({ reasoning_content: 'The user wants ' }),
        chunk({ reasoning_content: 'a capital.' }),
        chunk({ content: 'Paris.' }),
        chunk({}, 'stop'),
        usageChunk,
      ],
    })
    const stream = await client.chat.completions.create({
      model: 'deepseek-reasoner',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
    })
    let content = ''
    let reasoning = ''
    for await (const part of stream) {
      content += part.choices[0]?.delta.content ?? ''
      reasoning += (part.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? ''
    }
    expect(content).toBe('<think>\nThe user wants a capital.\n</think>\nParis.')
    expect(reasoning).toBe('')
    expect(thinkingChannel).toBeGreaterThan(0)
  })
})
