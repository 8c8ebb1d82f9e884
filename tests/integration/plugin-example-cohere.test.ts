import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testConfig } from '../support/context.ts'
import { startFakeCohere, type FakeCohere } from '../support/fake-cohere.ts'
import type { LogLevel } from '../../core/app-context.ts'
import { settingFields } from '../../admin/src/pages/channels/settings-schema.ts'

// Issue 20 items 1, 4 and 6 through an external plugin loaded only through PLUGINS
// (examples/plugins/cohere-example, a Cohere-style chat API whose answers name no model), in front of
// a fake Cohere upstream, called with the official OpenAI SDK.

const PLUGINS = './examples/plugins/cohere-example/index.ts'
const MODEL = 'command-a-03-2025'
const REASONING_MODEL = 'command-a-reasoning-08-2025'

describe('an external plugin through PLUGINS: call context, non-token usage, tokenizer and labels', () => {
  let gateway: TestGateway
  let cohere: FakeCohere
  let client: OpenAI
  let userId: number
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = []

  beforeAll(async () => {
    cohere = startFakeCohere()
    gateway = await startGateway({}, { plugins: testConfig({}, { PLUGINS }).plugins })
    const quiet = gateway.context.logger
    gateway.context.logger = {
      log(level: LogLevel, message: string, fields?: Record<string, unknown>) {
        if (level === 'warn') warnings.push({ message, ...(fields ? { fields } : {}) })
        quiet.log(level, message, fields)
      },
    }
    await gateway.createChannel({
      name: 'cohere',
      type: 'cohere-example',
      key: 'co-secret',
      baseUrl: cohere.url,
      models: [MODEL, 'my-command', REASONING_MODEL],
      modelMapping: { 'my-command': MODEL },
    })
    await gateway.createChannel({
      name: 'cohere-no-thinking',
      type: 'cohere-example',
      key: 'co-secret',
      baseUrl: cohere.url,
      models: ['quiet-reasoner'],
      modelMapping: { 'quiet-reasoner': REASONING_MODEL },
      settings: { dropThinking: true },
    })
    for (const alias of ['my-command', 'quiet-reasoner'])
      await gateway.admin('PUT', '/api/models/price', { model: alias, price: { inputPerMTok: 2.5, outputPerMTok: 10 } })
    userId = await gateway.createUser({ username: 'cohere-user', quota: 50_000_000 })
    const token = await gateway.createToken({ userId, unlimited: true })
    client = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
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
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'What is the capital of France?' }] }).withResponse()

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
      const stream = await client.chat.completions.create({ model: 'my-command', stream: true, messages: [{ role: 'user', content: 'hi' }] })
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
      // The example counts one token per three characters, where o200k would count about 16.
      expect(row.completionTokens).toBe(Math.ceil(text.length / 3))
      expect(warnings.some((warning) => warning.fields?.requestId === requestId)).toBe(false)
    })

    test('a streamed answer carries its search units to the bill too', async () => {
      cohere.queue({ text: 'Streamed with search.', usage: { billed_units: { input_tokens: 1000, output_tokens: 500, search_units: 1 } } })
      const { data: stream, response } = await client.chat.completions
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
      const type = types.find((entry) => entry.id === 'cohere-example')!
      expect(type.plugin).toBe('cohere-example')
      const label = (locale: string) => settingFields(type.settingsSchema, locale)[0]!.label
      expect([label('en'), label('fr'), label('ja'), label('zh-TW')]).toEqual(['Drop thinking', 'Masquer la réflexion', '思考を省く', '省略思考'])
    })
  })
})
