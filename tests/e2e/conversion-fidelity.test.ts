import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { GoogleGenAI } from '@google/genai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { loadChunks, loadFixture } from '../support/fixtures.ts'

// Issue 17 through the official SDKs: what reaches the fake upstream (recorded wire shapes) and what the
// client reads back, when the client's history or the upstream's dialect differs from the other side's.

type Json = Record<string, unknown>

describe('Claude SDK with a thinking history → Gemini channel', () => {
  let gateway: TestGateway
  let gemini: FakeGemini
  let client: Anthropic
  const claudeAnswer = loadFixture<{ content: Anthropic.ContentBlockParam[] }>('claude', 'claude-thinking.json')
  const signature = String((claudeAnswer.content.find((block) => block.type === 'thinking') as { signature: string }).signature)
  const history: Anthropic.MessageParam[] = [
    { role: 'user', content: 'Capital of France?' },
    { role: 'assistant', content: claudeAnswer.content },
    { role: 'user', content: 'What is the capital of France, again?' },
  ]

  beforeAll(async () => {
    gemini = await startFakeGemini()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'gemini', type: 'gemini', key: 'gemini-key', baseUrl: gemini.url, models: ['gemini-2.5-flash'] })
    const token = await gateway.createToken({ name: 'fidelity', unlimited: true })
    client = new Anthropic({ apiKey: token.key, baseURL: gateway.url, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
    await gemini.stop()
  })
  beforeEach(() => gemini.reset())

  /** The model turn Gemini received for the Claude assistant turn. */
  const modelTurn = () => ((gemini.requests.at(-1)?.body?.contents as Json[] | undefined) ?? [])[1]

  test("non-stream: Gemini receives the answer text without Anthropic's signature or thought; the client gets Gemini's answer", async () => {
    const message = await client.messages.create({ model: 'gemini-2.5-flash', max_tokens: 1024, messages: history })
    expect(gemini.requests.at(-1)?.rawBody).not.toContain(signature)
    expect(modelTurn()).toEqual({ role: 'model', parts: [{ text: 'The capital of France is Paris.' }] })
    const expected = loadFixture<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>('gemini', 'gemini-text.json')
      .candidates[0]!.content.parts.map((part) => part.text)
      .join('')
    expect(message.content.map((block) => block.type)).toEqual(['text'])
    expect((message.content[0] as Anthropic.TextBlock).text).toBe(expected)
  })

  test('stream: the same history, streamed, reaches Gemini the same way', async () => {
    const stream = client.messages.stream({ model: 'gemini-2.5-flash', max_tokens: 1024, messages: history })
    const final = await stream.finalMessage()
    expect(gemini.requests.at(-1)?.query.alt).toBe('sse')
    expect(gemini.requests.at(-1)?.rawBody).not.toContain(signature)
    expect(modelTurn()).toEqual({ role: 'model', parts: [{ text: 'The capital of France is Paris.' }] })
    const expected = loadChunks<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>('gemini', 'gemini-text.chunks.txt')
      .map((chunk) => chunk.candidates[0]!.content.parts.map((part) => part.text).join(''))
      .join('')
    expect(
      final.content
        .filter((block) => block.type === 'text')
        .map((block) => (block as Anthropic.TextBlock).text)
        .join(''),
    ).toBe(expected)
  })
})

// The same calls whether the channel says so (type openai-responses) or the model does (o3-pro is Responses-only in the openai plugin's model data).
for (const channelType of ['openai-responses', 'openai'] as const)
  describe(`Responses-only models on an \`${channelType}\` channel`, () => {
    let gateway: TestGateway
    let openai: FakeOpenAI
    let key: string
    const model = 'o3-pro'
    const weather = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] }
    const recorded = loadChunks<Json>('openai', 'openai-responses-function-call.chunks.txt')
    const call = (recorded.at(-1)!.response as { output: Array<{ call_id: string; name: string; arguments: string }> }).output[0]!
    const usage = (recorded.at(-1)!.response as { usage: { input_tokens: number; output_tokens: number } }).usage

    beforeAll(async () => {
      openai = await startFakeOpenAI()
      gateway = await startGateway()
      await gateway.createChannel({ name: 'responses-only', type: channelType, key: 'sk-up', baseUrl: openai.url, models: [model] })
      key = (await gateway.createToken({ name: 'responses-only', unlimited: true })).key
    })
    afterAll(async () => {
      await gateway.stop()
      await openai.stop()
    })
    beforeEach(() => openai.reset())

    /** The one upstream request, which must have gone to the Responses API. */
    function responsesRequest(): Json {
      expect(openai.requests.map((request) => request.path)).toEqual(['/v1/responses'])
      return openai.requests[0]!.body as Json
    }

    test('Chat SDK, streamed with tools: the call goes to /v1/responses and the client reads a Chat stream with the tool call and usage', async () => {
      const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
      const stream = await client.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Paris?' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weather } }],
      })
      const calls = new Map<number, { id?: string; name?: string; arguments: string }>()
      let finish: string | null = null
      let reported: OpenAI.CompletionUsage | undefined
      for await (const chunk of stream) {
        expect(chunk.object).toBe('chat.completion.chunk')
        if (chunk.usage) reported = chunk.usage
        for (const choice of chunk.choices) {
          finish = choice.finish_reason ?? finish
          for (const delta of choice.delta.tool_calls ?? []) {
            const entry = calls.get(delta.index) ?? { arguments: '' }
            entry.id ??= delta.id
            entry.name ??= delta.function?.name
            entry.arguments += delta.function?.arguments ?? ''
            calls.set(delta.index, entry)
          }
        }
      }
      expect([...calls.values()]).toEqual([{ id: call.call_id, name: call.name, arguments: call.arguments }])
      expect(finish).toBe('tool_calls')
      expect(reported).toMatchObject({ prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens })
      const body = responsesRequest()
      expect(body).toMatchObject({
        model,
        stream: true,
        instructions: 'Be brief.',
        tools: [{ type: 'function', name: 'get_weather', parameters: weather, strict: false }],
      })
      expect(body.input).toEqual([{ role: 'user', content: 'Weather in Paris?' }])
    })

    test('Chat SDK, tool result turn, not streamed: the call and its output go up as Responses items, the answer comes back as a Chat completion', async () => {
      const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
      const completion = await client.chat.completions.create({
        model,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 °C' },
        ],
      })
      const text = loadFixture<{ output: Array<{ type: string; content?: Array<{ text: string }> }> }>('openai', 'openai-responses-text.json')
        .output.filter((item) => item.type === 'message')
        .flatMap((item) => item.content ?? [])
        .map((part) => part.text)
        .join('')
      expect(completion.object).toBe('chat.completion')
      expect(completion.choices[0]!.message.content).toBe(text)
      const body = responsesRequest()
      expect(body.input).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Sunny, 21 °C' },
      ])
    })

    test('Gemini SDK, streamed with tools: the call goes to /v1/responses and the client reads a functionCall part', async () => {
      const client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway.url } })
      const stream = await client.models.generateContentStream({
        model,
        contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
        config: { tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parametersJsonSchema: weather }] }] },
      })
      const calls: Array<{ name?: string; args?: Record<string, unknown> }> = []
      let promptTokens: number | undefined
      for await (const response of stream) {
        promptTokens = response.usageMetadata?.promptTokenCount ?? promptTokens
        for (const part of response.candidates?.[0]?.content?.parts ?? [])
          if (part.functionCall) calls.push({ name: part.functionCall.name, args: part.functionCall.args })
      }
      expect(calls).toEqual([{ name: call.name, args: JSON.parse(call.arguments) }])
      expect(promptTokens).toBe(usage.input_tokens)
      expect(responsesRequest()).toMatchObject({ model, stream: true, tools: [{ type: 'function', name: 'get_weather' }] })
    })

    test('Claude SDK, streamed: the call goes to /v1/responses and the client reads a tool_use block', async () => {
      const client = new Anthropic({ apiKey: key, baseURL: gateway.url, maxRetries: 0 })
      const final = await client.messages
        .stream({
          model,
          max_tokens: 1024,
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [{ name: 'get_weather', description: 'Current weather', input_schema: weather as Anthropic.Tool.InputSchema }],
        })
        .finalMessage()
      expect(final.content.filter((block) => block.type === 'tool_use').map((block) => ({ id: block.id, name: block.name, input: block.input }))).toEqual([
        { id: call.call_id, name: call.name, input: JSON.parse(call.arguments) },
      ])
      expect(final.stop_reason).toBe('tool_use')
      expect(responsesRequest()).toMatchObject({ model, stream: true, max_output_tokens: 1024 })
    })

    test("Claude SDK with thinking, two turns: OpenAI's encrypted reasoning comes back as a thinking block and returns to /v1/responses as its reasoning item", async () => {
      const client = new Anthropic({ apiKey: key, baseURL: gateway.url, maxRetries: 0 })
      const question: Anthropic.MessageParam = { role: 'user', content: 'Capital of France?' }
      openai.queue({ kind: 'fixture', name: 'openai-responses-reasoning-encrypted' })
      const first = await client.messages
        .stream({ model, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [question] })
        .finalMessage()
      const firstBody = openai.requests[0]!.body as Json
      expect(firstBody.include).toEqual(['reasoning.encrypted_content'])
      const done = loadChunks<Json>('openai', 'openai-responses-reasoning-encrypted.chunks.txt').find(
        (event) => event.type === 'response.output_item.done' && (event.item as Json).type === 'reasoning',
      )!.item as { id: string; encrypted_content: string; summary: Array<{ text: string }> }
      const thinking = first.content.find((block) => block.type === 'thinking') as Anthropic.ThinkingBlock
      expect(thinking.thinking).toBe(done.summary.map((part) => part.text).join('\n\n'))
      await client.messages.create({
        model,
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: 'And of Italy?' }],
      })
      const input = (openai.requests[1]!.body as Json).input as Json[]
      expect(input.find((entry) => entry.type === 'reasoning')).toEqual({
        type: 'reasoning',
        id: done.id,
        summary: [{ type: 'summary_text', text: thinking.thinking }],
        encrypted_content: done.encrypted_content,
      })
      expect(openai.requests.map((request) => request.path)).toEqual(['/v1/responses', '/v1/responses'])
    })

    test('an upstream error reaches a Chat client in its own error shape with the upstream status', async () => {
      openai.queue({ kind: 'status', status: 429 })
      const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
      const failure = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(OpenAI.APIError)
      expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(429)
      expect(openai.requests.every((request) => request.path === '/v1/responses')).toBe(true)
    })
  })

describe('Chat SDK → Gemini channel whose answer names no model', () => {
  let gateway: TestGateway
  let gemini: FakeGemini
  let client: OpenAI
  const answer = loadFixture<Json>('gemini', 'gemini-text.json')
  const { modelVersion: _omitted, ...withoutModel } = answer
  const chunks = loadChunks<Json>('gemini', 'gemini-text.chunks.txt').map(({ modelVersion: _dropped, ...chunk }) => chunk)

  beforeAll(async () => {
    gemini = await startFakeGemini()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'gemini', type: 'gemini', key: 'gemini-key', baseUrl: gemini.url, models: ['gemini-2.5-flash'] })
    client = new OpenAI({ apiKey: (await gateway.createToken({ name: 'no-model', unlimited: true })).key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
    await gemini.stop()
  })

  test('non-stream: the client reads the model the call used, never ""', async () => {
    expect('modelVersion' in withoutModel).toBe(false)
    gemini.setDefault({ kind: 'status', status: 200, body: withoutModel })
    const completion = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Capital of France?' }] })
    expect(completion.model).toBe('gemini-2.5-flash')
    expect(completion.choices[0]!.message.content).toContain('Paris')
  })

  test('stream: every chunk names the model the call used', async () => {
    gemini.setDefault({ kind: 'stream-gap', gapMs: 0, chunks })
    const stream = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      stream: true,
      messages: [{ role: 'user', content: 'Capital of France?' }],
    })
    const models = new Set<string>()
    for await (const chunk of stream) models.add(chunk.model)
    expect([...models]).toEqual(['gemini-2.5-flash'])
  })
})
