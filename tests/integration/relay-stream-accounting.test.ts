import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'

// What the usage log records of a relayed call when the upstream says nothing about usage (an answer
// with reasoning and a tool call, converted or passed through, is billed for all of it: reasoning, the
// tool's name and its arguments, plus the per-call framing), and how long the first token took on
// streams, passthrough and converted alike.

const MODEL = 'gpt-4o-mini'
const REASONING = 'The user wants the weather in Paris, so I call the tool.'
const TOOL_NAME = 'get_weather'
const TOOL_ARGUMENTS = '{"location":"Paris, France","unit":"celsius"}'
/** Tokens the gateway adds per counted tool call (settle.ts), for its name and argument framing. */
const TOKENS_PER_TOOL_CALL = 5

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-tools',
  object: 'chat.completion.chunk',
  created: 1_748_736_000,
  model: MODEL,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
})

/** A streamed answer with reasoning and one tool call, and no usage chunk. */
const toolStream = [
  chunk({ role: 'assistant', content: null, reasoning_content: REASONING.slice(0, 20) }),
  chunk({ reasoning_content: REASONING.slice(20) }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: TOOL_NAME, arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: TOOL_ARGUMENTS.slice(0, 15) } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: TOOL_ARGUMENTS.slice(15) } }] }),
  chunk({}, 'tool_calls'),
]

/** The same answer complete, without a usage member. */
const toolAnswer = {
  id: 'chatcmpl-tools',
  object: 'chat.completion',
  created: 1_748_736_000,
  model: MODEL,
  choices: [
    {
      index: 0,
      logprobs: null,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: null,
        reasoning_content: REASONING,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: TOOL_NAME, arguments: TOOL_ARGUMENTS } }],
      },
    },
  ],
}

const claudeTools = [
  {
    name: TOOL_NAME,
    description: 'Weather of a place',
    input_schema: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } } },
  },
]

for (const backend of testBackends) {
  describe(`usage log of relayed calls (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let key: string

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: [MODEL] })
      key = (await gateway.createToken({ name: 'accounting', quota: 50_000_000 })).key
    }, 60_000)
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })
    beforeEach(() => fake.reset())

    async function claude(stream: boolean): Promise<string> {
      const response = await fetch(`${gateway.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, max_tokens: 256, stream, tools: claudeTools, messages: [{ role: 'user', content: 'Weather in Paris?' }] }),
      })
      expect(response.status).toBe(200)
      await response.text()
      return response.headers.get('x-request-id') ?? ''
    }

    async function openAIStream(): Promise<string> {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Capital of France?' }] }),
      })
      expect(response.status).toBe(200)
      await response.text()
      return response.headers.get('x-request-id') ?? ''
    }

    async function row(requestId: string): Promise<Record<string, unknown>> {
      const found = (await gateway.logs({ type: 'consume' })).find((entry) => entry.requestId === requestId)
      if (!found) throw new Error(`no usage row for ${requestId}`)
      return found
    }

    /** Output tokens the gateway must count for the tool answer: reasoning, tool name and arguments, plus framing. */
    async function expectedOutputTokens(): Promise<number> {
      return (await gateway.context.tokenCounter.count(MODEL, [REASONING + TOOL_NAME + TOOL_ARGUMENTS])) + TOKENS_PER_TOOL_CALL
    }

    test('a converted stream without usage is billed for its reasoning and tool call', async () => {
      fake.queue({ kind: 'stream-gap', gapMs: 0, chunks: toolStream })
      const entry = await row(await claude(true))
      expect((entry.details as { usageSource: string }).usageSource).toBe('counted')
      expect(entry.completionTokens).toBe(await expectedOutputTokens())
    })

    test('a converted answer without usage is billed for its reasoning and tool call', async () => {
      fake.queue({ kind: 'status', status: 200, body: toolAnswer })
      const entry = await row(await claude(false))
      expect((entry.details as { usageSource: string }).usageSource).toBe('counted')
      expect(entry.completionTokens).toBe(await expectedOutputTokens())
    })

    test('a passthrough answer without usage is billed for its reasoning and tool call too', async () => {
      fake.queue({ kind: 'status', status: 200, body: toolAnswer })
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          tools: [{ type: 'function', function: { name: TOOL_NAME, parameters: claudeTools[0]!.input_schema } }],
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
        }),
      })
      expect(await response.json()).toEqual(toolAnswer)
      const entry = await row(response.headers.get('x-request-id') ?? '')
      expect((entry.details as { usageSource: string }).usageSource).toBe('counted')
      expect(entry.completionTokens).toBe(await expectedOutputTokens())
    })

    test("a passthrough stream records its time to first token, within the call's duration", async () => {
      fake.queue({ kind: 'slow', delayMs: 40 })
      const entry = await row(await openAIStream())
      expect(entry.isStream).toBe(true)
      expect(Number(entry.firstTokenMs)).toBeGreaterThanOrEqual(40)
      expect(Number(entry.firstTokenMs)).toBeLessThanOrEqual(Number(entry.latencyMs))
    })

    test('a passthrough stream that arrives in one piece still records its time to first token', async () => {
      // Every event of the answer in one upstream read: the first token and the end arrive together.
      fake.queue({ kind: 'stream-gap', gapMs: 0, chunks: [{ ...chunk({ role: 'assistant', content: 'Paris.' }, 'stop') }] })
      const entry = await row(await openAIStream())
      expect(entry.firstTokenMs).not.toBeNull()
      expect(Number(entry.firstTokenMs)).toBeLessThanOrEqual(Number(entry.latencyMs))
    })

    test("a converted stream records its time to first token, within the call's duration", async () => {
      fake.queue({ kind: 'slow', delayMs: 40 })
      const entry = await row(await claude(true))
      expect(Number(entry.firstTokenMs)).toBeGreaterThanOrEqual(40)
      expect(Number(entry.firstTokenMs)).toBeLessThanOrEqual(Number(entry.latencyMs))
    })
  })
}
