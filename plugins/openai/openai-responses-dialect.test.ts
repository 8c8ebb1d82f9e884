import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { GatewayError, recordMember } from '@hanggent/plugin-sdk'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { validBody } from '../../tests/support/valid-body.ts'
import { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'
import { startFakeOpenAI } from '../../tests/support/fake-openai.ts'
import { sseEventsOf } from '../../tests/support/sse-text.ts'
import plugin from './index.ts'
import { openAIResponsesDialect as dialect } from './openai-responses-dialect.ts'
import { buildOpenAIRequest, openAICompatibleTransport, openAIEndpointUrl, openAITransport } from './openai-transport.ts'
import { responsesSse } from './openai-hub-test-support.ts'
import { openAIResponsesOnlyTransport } from './openai-responses-channel.ts'

/** The usage the relay bills a passthrough answer from: the upstream role's decodeUsage on the answer's usage member. */
const answerUsage = (body: unknown) => {
  const member = recordMember(body, dialect.usageMember ?? '')
  return member ? dialect.decodeUsage?.(member) : undefined
}

type Json = Record<string, unknown>
type Usage = {
  input_tokens: number
  input_tokens_details: { cached_tokens: number }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number }
}

const request = (headers: Record<string, string>) => ({ headers: new Headers(headers), url: new URL('http://gateway/v1/responses'), params: {} })

describe('Responses passthrough transport', () => {
  test.each([
    ['https://api.openai.com', 'https://api.openai.com/v1/responses'],
    ['https://api.openai.com/', 'https://api.openai.com/v1/responses'],
    ['https://gateway.example.com/v1', 'https://gateway.example.com/v1/responses'],
  ])('%s → %s', (base, expected) => {
    expect(openAIEndpointUrl(base, 'responses')).toBe(expected)
  })

  test('the request goes to {base}/v1/responses with the bearer key and the body unchanged', () => {
    const body = { model: 'gpt-4.1-mini', input: 'hi', stream: true }
    const built = buildOpenAIRequest({
      channel: {
        config: { azureDefaultApiVersion: '2025-04-01-preview' },
        id: 1,
        type: 'openai',
        baseUrl: 'https://api.openai.com',
        key: 'sk-up',
        settings: {},
      },
      dialect: 'openai.responses',
      endpoint: 'responses',
      model: 'gpt-4.1-mini',
      stream: true,
      body,
    })
    expect(built).toEqual({
      url: 'https://api.openai.com/v1/responses',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-up', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    })
  })

  test('OpenAI speaks Responses natively; OpenAI-compatible vendors are reached through Chat', () => {
    expect(openAITransport.nativeDialects).toContain('openai.responses')
    expect(openAICompatibleTransport.nativeDialects).not.toContain('openai.responses')
    expect(plugin.channelTypes.map((type) => [type.id, type.transport])).toEqual([
      ['openai', openAITransport],
      ['openai-compatible', openAICompatibleTransport],
      ['openai-responses', openAIResponsesOnlyTransport],
    ])
    expect(openAIResponsesOnlyTransport.nativeDialects).toEqual(['openai.responses'])
    expect(plugin.dialects).toContain(dialect)
    expect(dialect.routes).toEqual([{ method: 'POST', path: '/v1/responses' }])
  })
})

describe('Responses dialect', () => {
  test('key, model, stream and output ceiling', () => {
    expect(dialect.readKey(request({ authorization: 'Bearer sk-abc' }))).toBe('sk-abc')
    expect(dialect.readKey(request({}))).toBeUndefined()
    const body = (extra: object) => validBody(OpenAIResponsesRequest, { model: 'gpt-4.1', input: 'hi', ...extra })
    expect(dialect.readModel(body({}), request({}))).toBe('gpt-4.1')
    expect(dialect.readStream(body({ stream: true }), request({}))).toBe(true)
    expect(dialect.readMaxOutputTokens(body({ max_output_tokens: 512 }))).toBe(512)
    expect(dialect.readMaxOutputTokens(body({}))).toBeUndefined()
  })

  test('the upstream body only gets the mapped model; nothing is hidden from the client', () => {
    const body = { model: 'gpt-4.1', input: 'hi', stream: true }
    expect(dialect.prepareUpstreamBody(body, 'gpt-4.1-2025-04-14', true)).toEqual({ body: { ...body, model: 'gpt-4.1-2025-04-14' } })
  })

  test.each(['openai-responses-text.json', 'openai-responses-function-call.json', 'openai-responses-reasoning.json'])(
    'usage of %s, cached and reasoning tokens split out',
    (name) => {
      const fixture = loadFixture<{ usage: Usage }>('openai', name)
      const { usage } = fixture
      expect(answerUsage(fixture)).toEqual({
        inputTokens: usage.input_tokens - usage.input_tokens_details.cached_tokens,
        cacheReadTokens: usage.input_tokens_details.cached_tokens,
        cacheWriteTokens: 0,
        outputTokens: usage.output_tokens,
        reasoningTokens: usage.output_tokens_details.reasoning_tokens,
        raw: usage,
      })
    },
  )

  test('cached tokens are taken out of input tokens, never below zero', () => {
    expect(answerUsage({ usage: { input_tokens: 2000, input_tokens_details: { cached_tokens: 1536 }, output_tokens: 10 } })).toMatchObject({
      inputTokens: 464,
      cacheReadTokens: 1536,
      outputTokens: 10,
    })
    expect(answerUsage({ usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 50 } } })).toMatchObject({ inputTokens: 0, cacheReadTokens: 5 })
  })

  test('the prompt estimate counts instructions, items, tools and images', () => {
    const estimate = dialect.estimatePrompt(
      validBody(OpenAIResponsesRequest, {
        model: 'gpt-4.1',
        instructions: 'Be brief.',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: 'https://x/y.png', detail: 'low' },
            ],
          },
          { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"q":"x"}' },
          { type: 'function_call_output', call_id: 'c1', output: 'found' },
        ],
        tools: [{ type: 'function', name: 'lookup' }],
      }),
    )
    expect(estimate.texts).toEqual(['Be brief.', 'What is this?', 'lookup', '{"q":"x"}', 'found', JSON.stringify([{ type: 'function', name: 'lookup' }])])
    // 3 priming + 3 per item × 3 + 85 for a low-detail image
    expect(estimate.fixedTokens).toBe(3 + 9 + 85)
  })

  test('errors render in OpenAI shape; a stream error is an `error` event', () => {
    const error = new GatewayError(502, 'upstream_error', 'Upstream failed', { param: 'model' })
    expect(dialect.renderError(error)).toEqual({
      status: 502,
      body: { error: { message: 'Upstream failed', type: 'upstream_error', param: 'model', code: 'upstream_error' } },
    })
    expect(dialect.renderStreamError(error)).toEqual([
      { event: 'error', data: JSON.stringify({ type: 'error', code: 'upstream_error', message: 'Upstream failed', param: 'model', sequence_number: 0 }) },
    ])
  })
})

describe('fake OpenAI serves /v1/responses from the fixtures', () => {
  const fakePromise = startFakeOpenAI({ keys: ['sk-fake'] })
  afterAll(async () => (await fakePromise).stop())
  beforeEach(async () => (await fakePromise).reset())
  const post = async (body: Json) =>
    fetch(`${(await fakePromise).url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-fake', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  test.each([
    [{ input: 'hi' }, 'openai-responses-text.json'],
    [{ input: 'weather?', tools: [{ type: 'function', name: 'get_weather' }] }, 'openai-responses-function-call.json'],
    [{ input: 'think', reasoning: { effort: 'low' } }, 'openai-responses-reasoning.json'],
  ])('%o → %s with the model echoed', async (body, fixture) => {
    const response = await post({ model: 'my-model', ...body })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ...loadFixture('openai', fixture), model: 'my-model' })
  })

  test('streams are named events with the model echoed in every snapshot, and no [DONE]', async () => {
    const response = await post({ model: 'my-model', input: 'hi', stream: true })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const text = await response.text()
    expect(text).not.toContain('[DONE]')
    const events = sseEventsOf(text)
    const recorded = loadChunks<Json>('openai', 'openai-responses-text.chunks.txt')
    expect(events.map((event) => event.event)).toEqual(recorded.map((event) => String(event.type)))
    expect(events.map((event) => JSON.parse(event.data) as Json)).toEqual(
      recorded.map((event) => (event.response ? { ...event, response: { ...(event.response as Json), model: 'my-model' } } : event)),
    )
  })

  test('usage, no-usage and malformed-chunk scenarios apply to Responses streams', async () => {
    const fake = await fakePromise
    fake.queue(
      { kind: 'usage', usage: { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 64 } } },
      { kind: 'no-usage' },
      { kind: 'malformed-chunk', afterChunks: 2 },
    )
    const completedOf = async () =>
      JSON.parse(sseEventsOf(await (await post({ model: 'm', input: 'hi', stream: true })).text()).at(-1)!.data) as { response: { usage: unknown } }
    expect((await completedOf()).response.usage).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 64 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 107,
    })
    expect((await completedOf()).response.usage).toBeNull()
    const broken = sseEventsOf(await (await post({ model: 'm', input: 'hi', stream: true })).text())
    expect(() => JSON.parse(broken[2]!.data)).toThrow()
  })
})
