import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeCohereV2, type FakeCohereV2 } from '../support/fake-cohere-v2.ts'

// Issue 12 item 1: the built-in cohere plugin's v2 chat reached through the hub, so the official OpenAI and
// Anthropic SDKs chat with Command models, streamed and not, tools included, in front of a fake Cohere
// /v2/chat replaying recorded answers and SSE streams (message-start, tool-plan-delta, tool-call-start/delta/end,
// content-start/delta/end, message-end with usage.billed_units and tokens), each frame cut mid-bytes.

const MODEL = 'command-a-03-2025'
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['location'],
  },
}

describe('Cohere chat through the official SDKs', () => {
  let gateway: TestGateway
  let cohere: FakeCohereV2
  let openai: OpenAI
  let anthropic: Anthropic
  let userId: number

  beforeAll(async () => {
    cohere = startFakeCohereV2({ keys: ['co-key'] })
    gateway = await startGateway()
    await gateway.createChannel({ name: 'cohere', type: 'cohere', key: 'co-key', baseUrl: cohere.url, models: [MODEL, 'command-r'] })
    userId = await gateway.createUser({ username: 'cohere-chat', quota: 50_000_000 })
    const token = await gateway.createToken({ userId, unlimited: true })
    openai = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    anthropic = new Anthropic({ apiKey: token.key, baseURL: gateway.url, maxRetries: 0 })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await cohere.stop()
  })

  async function usageRow(requestId: string | null): Promise<Record<string, unknown>> {
    const found = (await gateway.logs({ type: 'consume' })).find((entry) => entry.requestId === requestId)
    if (!found) throw new Error(`no usage row for ${requestId}`)
    return found
  }

  describe('OpenAI SDK', () => {
    test('a plain answer, billed from billed_units (12 in, 4 out at $2.50/$10 per 1M = 35 units)', async () => {
      const { data, response } = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello' }] }).withResponse()
      expect(data.choices[0]!.message.content).toBe('Hello from Cohere.')
      expect(data.model).toBe(MODEL)
      expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4 })
      expect(cohere.requests.at(-1)).toMatchObject({ path: '/v2/chat', authorization: 'Bearer co-key', body: { model: MODEL, stream: false } })
      // (12 × 2.5 + 4 × 10) / 1M USD × 500,000 = 35 units
      expect((await usageRow(response.headers.get('x-request-id'))).quota).toBe(35)
    })

    test('a streamed answer', async () => {
      const stream = await openai.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Say hello' }] })
      let text = ''
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
      expect(text).toBe('Hello from Cohere.')
      expect(cohere.requests.at(-1)!.body.stream).toBe(true)
    })

    test('a tool call, then the tool result, without streaming', async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }]
      const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: WEATHER_TOOL }]
      const first = await openai.chat.completions.create({ model: MODEL, messages, tools })
      const call = first.choices[0]!.message.tool_calls?.[0]
      expect(first.choices[0]!.finish_reason).toBe('tool_calls')
      expect(call?.type === 'function' ? [call.id, call.function.name, JSON.parse(call.function.arguments)] : undefined).toEqual([
        'get_weather_k2m8x1p4q7r0',
        'get_weather',
        { location: 'Paris', unit: 'celsius' },
      ])
      expect(cohere.requests.at(-1)!.body.tools).toEqual([{ type: 'function', function: WEATHER_TOOL }])
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call!.id, content: '{"temperature":"18","sky":"sunny"}' })
      const second = await openai.chat.completions.create({ model: MODEL, messages, tools })
      expect(second.choices[0]!.message.content).toBe('It is 18 °C and sunny in Paris.')
      expect((cohere.requests.at(-1)!.body.messages as Array<Record<string, unknown>>).at(-1)).toEqual({
        role: 'tool',
        tool_call_id: 'get_weather_k2m8x1p4q7r0',
        content: '{"temperature":"18","sky":"sunny"}',
      })
    })

    test('a streamed tool call: the plan is not answer text, the arguments arrive whole', async () => {
      const stream = await openai.chat.completions.create({
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [{ type: 'function', function: WEATHER_TOOL }],
      })
      let text = ''
      let id = ''
      let name = ''
      let args = ''
      let finish: string | null | undefined
      for await (const chunk of stream) {
        const choice = chunk.choices[0]
        text += choice?.delta.content ?? ''
        for (const call of choice?.delta.tool_calls ?? []) {
          id += call.id ?? ''
          name += call.function?.name ?? ''
          args += call.function?.arguments ?? ''
        }
        finish = choice?.finish_reason ?? finish
      }
      expect(text).toBe('')
      expect([id, name, JSON.parse(args), finish]).toEqual(['get_weather_7wq3n5t9b2v6', 'get_weather', { location: 'Paris', unit: 'celsius' }, 'tool_calls'])
    })
  })

  describe('Anthropic SDK', () => {
    test('a plain answer', async () => {
      const message = await anthropic.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] })
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from Cohere.' } as Anthropic.ContentBlock])
      expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 4 })
      expect(cohere.requests.at(-1)!.body.max_tokens).toBe(256)
    })

    test('a streamed answer', async () => {
      const stream = anthropic.messages.stream({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] })
      let text = ''
      stream.on('text', (delta) => {
        text += delta
      })
      const final = await stream.finalMessage()
      expect(text).toBe('Hello from Cohere.')
      expect(final.stop_reason).toBe('end_turn')
    })

    test('a tool call and its result, without streaming', async () => {
      const tools: Anthropic.Tool[] = [
        { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters as Anthropic.Tool.InputSchema },
      ]
      const first = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 256,
        tools,
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      })
      expect(first.stop_reason).toBe('tool_use')
      const use = first.content.find((block) => block.type === 'tool_use')
      expect(use).toMatchObject({ name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } })
      const second = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 256,
        tools,
        messages: [
          { role: 'user', content: 'What is the weather in Paris?' },
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: '{"temperature":"18","sky":"sunny"}' }],
          },
        ],
      })
      expect(second.content.map((block) => (block.type === 'text' ? block.text : block.type))).toEqual(['It is 18 °C and sunny in Paris.'])
    })

    test('a streamed tool call', async () => {
      const tools: Anthropic.Tool[] = [
        { name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters as Anthropic.Tool.InputSchema },
      ]
      const stream = anthropic.messages.stream({ model: MODEL, max_tokens: 256, tools, messages: [{ role: 'user', content: 'What is the weather in Paris?' }] })
      const final = await stream.finalMessage()
      expect(final.stop_reason).toBe('tool_use')
      expect(final.content.filter((block) => block.type === 'tool_use')).toEqual([
        { type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } } as unknown as Anthropic.ToolUseBlock,
      ])
      expect(final.usage).toMatchObject({ input_tokens: 312, output_tokens: 28 })
    })
  })
})
