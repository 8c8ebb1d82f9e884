import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../../tests/support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../../tests/support/fake-openai.ts'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'

// The OpenAI dialects through a real gateway and the official SDK, in front of the fake OpenAI:
// Responses passthrough to an `openai` channel, Responses converted to Chat for an
// `openai-compatible` channel, and Chat through the hub when a reasoning suffix applies.

type Json = Record<string, unknown>

let gateway: TestGateway
let openai: FakeOpenAI
let compatible: FakeOpenAI
let client: OpenAI

beforeAll(async () => {
  openai = await startFakeOpenAI({ keys: ['sk-openai'] })
  compatible = await startFakeOpenAI({ keys: ['sk-compatible'] })
  gateway = await startGateway()
  await gateway.createChannel({
    name: 'openai',
    type: 'openai',
    key: 'sk-openai',
    baseUrl: openai.url,
    models: ['gpt-4.1-mini', 'o4-mini', 'o4-mini-high', 'gpt-4o-mini-high'],
  })
  await gateway.createChannel({ name: 'deepseek', type: 'openai-compatible', key: 'sk-compatible', baseUrl: compatible.url, models: ['deepseek-chat'] })
  const token = await gateway.createToken({ name: 'relay', unlimited: true })
  client = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
})
afterAll(async () => {
  await gateway.stop()
  await openai.stop()
  await compatible.stop()
})
beforeEach(() => {
  openai.reset()
  compatible.reset()
})

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather',
  strict: false,
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
}

describe('Responses passthrough to OpenAI', () => {
  test('non-stream: the body goes to /v1/responses unchanged and the answer comes back as sent', async () => {
    const request = { model: 'gpt-4.1-mini', input: 'Capital of France?', instructions: 'Be brief.', store: false, metadata: { team: 'search' } }
    const response = await client.responses.create(request)
    expect(openai.requests[0]?.path).toBe('/v1/responses')
    expect(openai.requests[0]?.body).toEqual(request)
    const fixture = loadFixture<Json>('openai', 'openai-responses-text.json')
    expect(response.id).toBe(String(fixture.id))
    expect(response.output_text).toBe(String(((fixture.output as Json[])[0]!.content as Json[])[0]?.text))
  })

  test('stream: the SDK assembles the final response; usage comes from response.completed', async () => {
    const stream = client.responses.stream({ model: 'o4-mini', input: 'Capital of France?', reasoning: { effort: 'medium', summary: 'auto' } })
    let streamed = ''
    stream.on('response.output_text.delta', (event) => {
      streamed += event.delta
    })
    const final = await stream.finalResponse()
    const completed = loadChunks<Json>('openai', 'openai-responses-reasoning.chunks.txt').at(-1)?.response as Json
    expect(final.output_text).toBe(streamed)
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message'])
    expect(final.usage).toEqual(completed.usage as OpenAI.Responses.ResponseUsage)
    const logs = await gateway.logs({ type: 'consume' })
    expect(logs.find((row) => row.isStream === true && row.completionTokens === 146)?.promptTokens).toBe(13)
  })
})

describe('Responses client on an OpenAI-compatible channel (converted to Chat)', () => {
  test('non-stream: instructions, input and tools become a Chat body; the Chat answer becomes a response', async () => {
    const response = await client.responses.create({
      model: 'deepseek-chat',
      instructions: 'Be brief.',
      input: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weather],
    })
    const sent = compatible.requests[0]
    expect(sent?.path).toBe('/v1/chat/completions')
    expect(sent?.body).toEqual({
      model: 'deepseek-chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weather.parameters, strict: false } }],
    })
    const call = loadFixture<{ choices: Array<{ message: { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> } }> }>(
      'openai',
      'openai-chat-tool-call.json',
    ).choices[0]!.message.tool_calls[0]!
    expect(response.status).toBe('completed')
    expect(response.output).toMatchObject([
      { type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments, status: 'completed' },
    ])
  })

  test('stream: the SDK assembles the converted events into the same text', async () => {
    const stream = client.responses.stream({ model: 'deepseek-chat', input: 'Capital of France?' })
    let streamed = ''
    stream.on('response.output_text.delta', (event) => {
      streamed += event.delta
    })
    const final = await stream.finalResponse()
    const expected = loadChunks<{ choices: Array<{ delta?: { content?: string } }> }>('openai', 'openai-chat-text.chunks.txt')
      .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
      .join('')
    expect(streamed).toBe(expected)
    expect(final.output_text).toBe(expected)
    expect(final.usage?.input_tokens).toBe(24)
    expect(compatible.requests[0]?.body?.stream_options).toEqual({ include_usage: true })
  })

  test('previous_response_id is refused with a clear 400 instead of being ignored', async () => {
    const failure = await client.responses
      .create({ model: 'deepseek-chat', input: 'And then?', previous_response_id: 'resp_abc' })
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError)
    expect((failure as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('previous_response_id')
    expect(compatible.requests).toHaveLength(0)
  })
})

describe('Responses through the hub to Responses (reasoning suffix)', () => {
  test('o4-mini-high: the suffix sets reasoning.effort; the re-encoded stream assembles like the recorded one', async () => {
    const stream = client.responses.stream({ model: 'o4-mini-high', input: 'Capital of France?', reasoning: { summary: 'auto' }, store: false })
    const final = await stream.finalResponse()
    expect(openai.requests[0]?.body).toEqual({
      model: 'o4-mini',
      input: [{ role: 'user', content: 'Capital of France?' }],
      reasoning: { effort: 'high', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
    })
    const recorded = loadChunks<Json>('openai', 'openai-responses-reasoning.chunks.txt').at(-1)?.response as {
      output: Array<{ type: string; summary?: Array<{ text: string }>; content?: Array<{ text: string }> }>
    }
    expect(final.output.map((item): string => item.type)).toEqual(recorded.output.map((item) => item.type))
    expect(final.output_text).toBe(recorded.output[1]?.content?.[0]?.text ?? '')
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: recorded.output[0]?.summary })
  })

  test('non-stream: the converted answer parses and keeps the upstream response id', async () => {
    const response = await client.responses.create({ model: 'o4-mini-high', input: 'Capital of France?', reasoning: { summary: 'auto' } })
    const fixture = loadFixture<{ id: string; usage: unknown }>('openai', 'openai-responses-reasoning.json')
    expect(response.id).toBe(fixture.id)
    expect(response.usage).toMatchObject(fixture.usage as Json)
  })
})

describe('Chat through the hub (reasoning suffix)', () => {
  test('gpt-4o-mini-high: the suffix becomes reasoning_effort and the stream keeps its shape', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini-high',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
      logit_bias: { '50256': -100 },
    })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(openai.requests[0]?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      logit_bias: { '50256': -100 },
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
    })
    const expected = loadChunks<{ choices: Array<{ delta?: { content?: string } }> }>('openai', 'openai-chat-text.chunks.txt')
      .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
      .join('')
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(expected)
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true)
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop')
  })
})
