import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { decodeSse } from '@hanggent/plugin-sdk'
import { startGateway, type TestGateway } from '../../tests/support/gateway.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../../tests/support/fake-anthropic.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../../tests/support/fake-openai.ts'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { weatherSchema } from './claude-test-support.ts'

// The Claude plugin through a real gateway: Anthropic clients passing through to a `claude`
// channel, through the hub when a `-thinking` suffix applies, and converted to an OpenAI channel;
// OpenAI clients converted to a `claude` channel. Anthropic clients are driven with plain fetch,
// the way the official SDK sends requests (x-api-key, anthropic-version).

type Json = Record<string, unknown>

let gateway: TestGateway
let anthropic: FakeAnthropic
let openai: FakeOpenAI
let key: string
let client: OpenAI

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ keys: ['sk-ant-upstream'] })
  openai = await startFakeOpenAI({ keys: ['sk-openai'] })
  gateway = await startGateway()
  await gateway.createChannel({
    name: 'anthropic',
    type: 'claude',
    key: 'sk-ant-upstream',
    baseUrl: anthropic.url,
    models: ['claude-sonnet-4-5', 'claude-sonnet-4-5-thinking'],
  })
  await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-openai', baseUrl: openai.url, models: ['gpt-4o-mini'] })
  key = (await gateway.createToken({ name: 'claude relay', unlimited: true })).key
  client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
})
afterAll(async () => {
  await gateway.stop()
  await anthropic.stop()
  await openai.stop()
})
beforeEach(() => {
  anthropic.reset()
  openai.reset()
})

function messages(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  })
}

/** The events of an SSE response, each payload checked to repeat its event name. */
async function events(response: Response): Promise<Json[]> {
  const all: Json[] = []
  for await (const event of decodeSse(response.body!)) {
    const payload = JSON.parse(event.data) as Json
    expect(payload.type).toBe(event.event)
    all.push(payload)
  }
  return all
}

const deltas = (all: Json[], field: 'text' | 'thinking' | 'partial_json') =>
  all.map((event) => ((event.delta as Json | undefined)?.[field] as string | undefined) ?? '').join('')
const ask = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Capital of France?' }] }

async function lastConsumeLog(): Promise<Json> {
  const logs = await gateway.logs({ type: 'consume' })
  return logs[0] as Json
}

describe('Anthropic clients on a claude channel (passthrough)', () => {
  test('non-stream: the body goes upstream unchanged with the channel key; the answer comes back as sent and is billed', async () => {
    const request = { ...ask, system: 'Be brief.', metadata: { user_id: 'u-1' }, service_tier: 'auto' }
    const response = await messages(request)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ...loadFixture('claude', 'claude-text.json'), model: 'claude-sonnet-4-5' })
    expect(anthropic.requests[0]?.body).toEqual(request)
    expect(anthropic.requests[0]?.headers).toMatchObject({ 'x-api-key': 'sk-ant-upstream', 'anthropic-version': '2023-06-01' })
    expect(await lastConsumeLog()).toMatchObject({ model: 'claude-sonnet-4-5', promptTokens: 14, completionTokens: 10, isStream: false })
  })

  test('stream: the events come back as Anthropic sent them; cached input is billed from message_start and message_delta', async () => {
    const response = await messages({ ...ask, stream: true })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const recorded = loadChunks<Json>('claude', 'claude-text.chunks.txt')
    expect(await events(response)).toEqual(
      recorded.map((event) => (event.type === 'message_start' ? { ...event, message: { ...(event.message as Json), model: 'claude-sonnet-4-5' } } : event)),
    )
    expect(await lastConsumeLog()).toMatchObject({ promptTokens: 18 + 2048, cacheReadTokens: 2048, completionTokens: 13, isStream: true })
  })

  test('an upstream error event mid-stream reaches the client as Anthropic sent it', async () => {
    anthropic.queue({ kind: 'stream-error', afterChunks: 3 })
    const all = await events(await messages({ ...ask, stream: true }))
    expect(all.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
  })

  test("errors are in Anthropic's shape: a bad key, a missing max_tokens, an upstream 400 passed through, an upstream 529", async () => {
    const badKey = await messages(ask, { 'x-api-key': 'sk-nope' })
    expect(badKey.status).toBe(401)
    expect(await badKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    const missing = await messages({ model: 'claude-sonnet-4-5', messages: ask.messages })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: "Missing required parameter: 'max_tokens'." } })
    anthropic.queue({ kind: 'status', status: 400 }, { kind: 'status', status: 529 })
    const tooLong = await messages(ask)
    expect(tooLong.status).toBe(400)
    expect(await tooLong.json()).toEqual(loadFixture('claude', 'claude-error-400.json'))
    const overloaded = await messages(ask)
    expect(overloaded.status).toBe(502)
    expect(await overloaded.json()).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('Overloaded') } })
  })

  test("GET /v1/models answers Anthropic SDKs in Anthropic's shape", async () => {
    const response = await fetch(`${gateway.url}/v1/models`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } })
    const list = (await response.json()) as { data: Json[]; has_more: boolean }
    expect(list.has_more).toBe(false)
    expect(list.data).toContainEqual({ type: 'model', id: 'claude-sonnet-4-5', display_name: 'claude-sonnet-4-5', created_at: '2024-01-01T00:00:00Z' })
  })
})

describe('Anthropic clients through the hub', () => {
  test("claude-sonnet-4-5-thinking: extended thinking is turned on within Anthropic's limits; the re-encoded stream has the thinking block", async () => {
    const all = await events(await messages({ ...ask, model: 'claude-sonnet-4-5-thinking', stream: true }))
    expect(anthropic.requests[0]?.body).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      max_tokens: 1280,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      stream: true,
    })
    const recorded = loadChunks<Json>('claude', 'claude-thinking.chunks.txt')
    expect(all.map((event) => event.type)).toEqual(recorded.map((event) => event.type))
    expect(deltas(all, 'thinking')).toBe(deltas(recorded, 'thinking'))
    expect(deltas(all, 'text')).toBe(deltas(recorded, 'text'))
    expect(all.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 46, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 87 },
    })
  })

  test('on an OpenAI channel, non-stream: the request becomes a Chat body and the answer a Claude message', async () => {
    const response = await messages({ model: 'gpt-4o-mini', max_tokens: 200, system: 'Be brief.', messages: ask.messages })
    expect(openai.requests[0]?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      max_completion_tokens: 200,
    })
    const completion = loadFixture<{
      id: string
      choices: Array<{ message: { content: string } }>
      usage: { prompt_tokens: number; completion_tokens: number }
    }>('openai', 'openai-chat-text.json')
    const message = (await response.json()) as Json
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: completion.choices[0]!.message.content }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    })
    expect(String(message.id)).toStartWith('msg_')
    expect(message.usage).toMatchObject({ input_tokens: completion.usage.prompt_tokens, output_tokens: completion.usage.completion_tokens })
  })

  test('on an OpenAI channel, stream with tools: the Chat stream becomes Anthropic events a client can assemble', async () => {
    const all = await events(
      await messages({
        model: 'gpt-4o-mini',
        max_tokens: 200,
        messages: ask.messages,
        stream: true,
        tools: [{ name: 'get_weather', input_schema: weatherSchema }],
      }),
    )
    expect(openai.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherSchema } }],
    })
    expect(all[0]?.type).toBe('message_start')
    expect(all.at(-1)).toEqual({ type: 'message_stop' })
    const start = all.find((event) => (event.content_block as Json | undefined)?.type === 'tool_use')?.content_block as Json
    expect(start.name).toBe('get_weather')
    expect(JSON.parse(deltas(all, 'partial_json'))).toEqual({ location: 'Paris, France', unit: 'celsius' })
    expect((all.at(-2)!.delta as Json).stop_reason).toBe('tool_use')
    expect((all.at(-2)!.usage as Json).output_tokens).toBeGreaterThan(0)
  })
})

describe('OpenAI clients on a claude channel (converted)', () => {
  test('non-stream with tools: an Anthropic body goes upstream; the tool call comes back as an OpenAI tool call', async () => {
    const completion = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weatherSchema } }],
    })
    expect(anthropic.requests[0]?.body).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      max_tokens: 8192,
      tools: [{ name: 'get_weather', description: 'Current weather', input_schema: weatherSchema }],
    })
    const call = completion.choices[0]?.message.tool_calls?.[0]
    expect(call?.type === 'function' && call.function.name).toBe('get_weather')
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'Paris, France', unit: 'celsius' })
    expect(completion.choices[0]?.message.content).toBe("I'll check the current weather in Paris for you.")
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
    expect(completion.usage).toMatchObject({ prompt_tokens: 421, completion_tokens: 79 })
  })

  test('stream: the text arrives as Chat chunks; cached input counts in prompt_tokens and cached_tokens', async () => {
    const stream = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(deltas(loadChunks<Json>('claude', 'claude-text.chunks.txt'), 'text'))
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop')
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 2066, completion_tokens: 13, prompt_tokens_details: { cached_tokens: 2048 } })
    expect(await lastConsumeLog()).toMatchObject({ promptTokens: 2066, cacheReadTokens: 2048, completionTokens: 13 })
  })

  test('a stream cut midway still bills the exact cached input Anthropic reported in message_start', async () => {
    anthropic.queue({ kind: 'reset-mid-stream', afterChunks: 4 })
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    })
    expect(await response.text()).toContain('"error"')
    expect(await lastConsumeLog()).toMatchObject({ promptTokens: 2066, cacheReadTokens: 2048 })
  })

  test('an Anthropic error event mid-stream ends the Chat stream with an OpenAI error', async () => {
    anthropic.queue({ kind: 'stream-error', afterChunks: 4 })
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    })
    const text = await response.text()
    expect(text).not.toContain('[DONE]')
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice('data: '.length)) as { error: Json }
    expect(last.error).toMatchObject({ message: 'Overloaded', code: 'overloaded_error' })
  })
})
