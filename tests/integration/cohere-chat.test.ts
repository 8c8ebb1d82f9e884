import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeCohere, type FakeCohere } from '../support/fake-cohere.ts'
import { weatherTool as WEATHER_TOOL } from '../e2e/matrix/clients.ts'
import type { LogLevel } from '../../core/app-context.ts'
import { settingFields } from '../../admin/src/pages/channels/settings-schema.ts'

// Issue 12 item 1: the built-in cohere plugin's v2 chat reached through the hub, so the official OpenAI and
// Anthropic SDKs chat with Command models, streamed and not, tools included, in front of a fake Cohere
// /v2/chat replaying recorded answers and SSE streams (message-start, tool-plan-delta, tool-call-start/delta/end,
// content-start/delta/end, message-end with usage.billed_units and tokens), each frame cut mid-bytes.
// Then the contract's optional hooks as Cohere uses them (issue 20 items 1, 4 and 6): the core naming the model
// Cohere's answers leave out, decoders reading the channel's settings, search units billed per unit, zero and
// missing usage, the plugin's tokenizer, and settings labels in the reader's language.

const MODEL = 'command-a-03-2025'
const REASONING_MODEL = 'command-a-reasoning-08-2025'

describe('Cohere chat through the official SDKs', () => {
  let gateway: TestGateway
  let cohere: FakeCohere
  let openai: OpenAI
  let anthropic: Anthropic
  let userId: number
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = []

  beforeAll(async () => {
    cohere = startFakeCohere({ keys: ['co-key'] })
    gateway = await startGateway()
    const quiet = gateway.context.logger
    gateway.context.logger = {
      log(level: LogLevel, message: string, fields?: Record<string, unknown>) {
        if (level === 'warn') warnings.push({ message, ...(fields ? { fields } : {}) })
        quiet.log(level, message, fields)
      },
    }
    await gateway.createChannel({
      name: 'cohere',
      type: 'cohere',
      key: 'co-key',
      baseUrl: cohere.url,
      models: [MODEL, 'command-r', 'my-command', REASONING_MODEL],
      modelMapping: { 'my-command': MODEL },
    })
    await gateway.createChannel({
      name: 'cohere-no-thinking',
      type: 'cohere',
      key: 'co-key',
      baseUrl: cohere.url,
      models: ['quiet-reasoner'],
      modelMapping: { 'quiet-reasoner': REASONING_MODEL },
      settings: { dropThinking: true },
    })
    for (const alias of ['my-command', 'quiet-reasoner'])
      await gateway.admin('PUT', '/api/models/price', { model: alias, price: { inputPerMTok: 2.5, outputPerMTok: 10 } })
    userId = await gateway.createUser({ username: 'cohere-chat', quota: 50_000_000 })
    const token = await gateway.createToken({ userId, unlimited: true })
    openai = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    anthropic = new Anthropic({ apiKey: token.key, baseURL: gateway.url, maxRetries: 0 })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await cohere.stop()
  })

  async function usageRow(requestId: string | null): Promise<Record<string, unknown> & { details: Record<string, unknown> }> {
    const found = (await gateway.logs({ type: 'consume' })).find((entry) => entry.requestId === requestId)
    if (!found) throw new Error(`no usage row for ${requestId}`)
    return found as Record<string, unknown> & { details: Record<string, unknown> }
  }

  const ask = (model: string) =>
    openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'What is the capital of France?' }] }).withResponse()

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

  describe('item 1: decoders get the call context, the core names the model', () => {
    test('an answer without a model names the upstream model, for a direct model and an alias', async () => {
      const direct = await ask(MODEL)
      expect(direct.data.model).toBe(MODEL)
      expect(direct.data.choices[0]!.message.content).toBe('Hello from Cohere.')
      const aliased = await ask('my-command')
      expect(aliased.data.model).toBe(MODEL)
      expect(cohere.requests.at(-1)?.body.model).toBe(MODEL)
      const row = await usageRow(aliased.response.headers.get('x-request-id'))
      expect([row.model, row.upstreamModel]).toEqual(['my-command', MODEL])
    })

    test('a stream without a model names the upstream model in every chunk', async () => {
      const stream = await openai.chat.completions.create({ model: 'my-command', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      const models = new Set<string>()
      let text = ''
      for await (const chunk of stream) {
        models.add(chunk.model)
        text += chunk.choices[0]?.delta.content ?? ''
      }
      expect([...models]).toEqual([MODEL])
      expect(text).toBe('Hello from Cohere.')
    })

    test("the decoder reads the channel's settings: dropThinking leaves reasoning out on that channel only", async () => {
      type WithReasoning = { reasoning_content?: string }
      cohere.queue({ text: 'Paris.', thinking: 'The user asks about France.', usage: { billed_units: { input_tokens: 8, output_tokens: 9 } } })
      const kept = await ask(REASONING_MODEL)
      expect((kept.data.choices[0]!.message as WithReasoning).reasoning_content).toBe('The user asks about France.')
      cohere.queue({ text: 'Paris.', thinking: 'The user asks about France.', usage: { billed_units: { input_tokens: 8, output_tokens: 9 } } })
      const dropped = await ask('quiet-reasoner')
      expect(dropped.data.choices[0]!.message.content).toBe('Paris.')
      expect((dropped.data.choices[0]!.message as WithReasoning).reasoning_content).toBeUndefined()
    })
  })

  describe('item 4: non-token usage, no usage and zero usage', () => {
    test('search units are billed at the price per unit on top of tokens, and logged', async () => {
      const before = await gateway.balance(userId)
      cohere.queue({
        text: 'Paris, per the web.',
        usage: { billed_units: { input_tokens: 1000, output_tokens: 500, search_units: 2 }, tokens: { input_tokens: 1200, output_tokens: 500 } },
      })
      const answer = await ask(MODEL)
      // 1000 × 2.5 + 500 × 10 per 1M = 0.0075 USD, plus 2 search units × 0.002 USD = 0.0115 USD = 5750 units
      const row = await usageRow(answer.response.headers.get('x-request-id'))
      expect(row.quota).toBe(5750)
      expect((await gateway.balance(userId)).usedQuota - before.usedQuota).toBe(5750)
      expect(row.details.quantities).toEqual({ searchUnits: 2 })
      expect(row.details.quantityCharges).toEqual({ searchUnits: { amount: 2, usd: 0.004 } })
      expect(row.details.suspiciousUsage).toBeUndefined()
    })

    test('zero usage from the provider is billed as reported, flagged in the row and warned with the request id', async () => {
      cohere.queue({ text: 'Paris.', usage: { billed_units: { input_tokens: 0, output_tokens: 0 }, tokens: { input_tokens: 0, output_tokens: 0 } } })
      const answer = await ask(MODEL)
      const requestId = answer.response.headers.get('x-request-id')
      const row = await usageRow(requestId)
      expect(row.quota).toBe(0)
      expect(row.details.usageSource).toBe('upstream')
      expect(row.details.suspiciousUsage).toBe('zero')
      expect(warnings.filter((warning) => warning.fields?.requestId === requestId).map((warning) => warning.message)).toEqual([
        'provider reported zero usage; billed as reported',
      ])
    })

    test("no usage is counted with the plugin's own tokenizer and not flagged", async () => {
      const text = 'Paris is the capital and most populous city of France, on the Seine.'
      cohere.queue({ text, usage: null })
      const answer = await ask(MODEL)
      const requestId = answer.response.headers.get('x-request-id')
      const row = await usageRow(requestId)
      expect(row.details.usageSource).toBe('counted')
      expect(row.details.suspiciousUsage).toBeUndefined()
      // The plugin counts one token per three characters, where o200k would count about 16.
      expect(row.completionTokens).toBe(Math.ceil(text.length / 3))
      expect(warnings.some((warning) => warning.fields?.requestId === requestId)).toBe(false)
    })

    test('a streamed answer carries its search units to the bill too', async () => {
      cohere.queue({ text: 'Streamed with search.', usage: { billed_units: { input_tokens: 1000, output_tokens: 500, search_units: 1 } } })
      const { data: stream, response } = await openai.chat.completions
        .create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'hi' }] })
        .withResponse()
      let text = ''
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
      expect(text).toBe('Streamed with search.')
      const row = await usageRow(response.headers.get('x-request-id'))
      // 0.0075 USD of tokens + 0.002 USD for one search unit = 0.0095 USD = 4750 units
      expect(row.quota).toBe(4750)
      expect(row.details.quantities).toEqual({ searchUnits: 1 })
    })
  })

  describe("item 6: settings labels in the reader's language", () => {
    test("the channel type's schema carries its translations and the form shows them per language", async () => {
      const types = await gateway.admin<Array<{ id: string; plugin: string; settingsSchema: Record<string, unknown> }>>('GET', '/api/channel-types')
      const type = types.find((entry) => entry.id === 'cohere')!
      expect(type.plugin).toBe('cohere')
      const label = (locale: string) => settingFields(type.settingsSchema, locale)[0]!.label
      expect([label('en'), label('fr'), label('ja'), label('zh-TW')]).toEqual(['Drop thinking', 'Masquer la réflexion', '思考を省く', '省略思考'])
    })
  })
})
