import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import type { HubEvent, HubResult } from '@hanggent/plugin-sdk'
import { GeminiErrorBody, GeminiGenerateContentResponse, type GeminiUsageMetadata } from '../../schemas/gemini-generate.ts'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { convertGeminiUsage } from './convert-gemini-usage.ts'
import { geminiGenerateHub as hub } from './gemini-hub.ts'
import { collect, comparable, geminiSse, spelled, streamOf, testEnv, TEST_NOW } from './gemini-test-support.ts'

type Json = Record<string, unknown>
type Response = {
  candidates?: Array<{ content: { parts: Json[] }; finishReason?: string }>
  usageMetadata: GeminiUsageMetadata
  modelVersion: string
  responseId: string
}

const created = TEST_NOW / 1000
const withoutRaw = (result: HubResult) => ({ ...result, usage: result.usage && { ...result.usage, raw: undefined } })

describe('recorded shapes', () => {
  test.each(['gemini-text.json', 'gemini-function-call.json', 'gemini-thinking.json', 'gemini-safety-blocked.json', 'gemini-models.json'])(
    '%s is a GenerateContentResponse (or model list) as the schema describes',
    (name) => {
      if (name === 'gemini-models.json') return expect(Array.isArray(loadFixture<{ models: unknown[] }>('gemini', name).models)).toBe(true)
      expect(Value.Check(GeminiGenerateContentResponse, loadFixture('gemini', name))).toBe(true)
    },
  )

  test.each(['gemini-text.chunks.txt', 'gemini-function-call.chunks.txt', 'gemini-thinking.chunks.txt'])(
    'every chunk of %s is a GenerateContentResponse',
    (name) => {
      for (const chunk of loadChunks('gemini', name)) expect(Value.Check(GeminiGenerateContentResponse, chunk)).toBe(true)
    },
  )

  test.each([
    'gemini-error-400.json',
    'gemini-error-400-api-key.json',
    'gemini-error-403.json',
    'gemini-error-429.json',
    'gemini-error-500.json',
    'gemini-error-503.json',
  ])('%s is a Google error body', (name) => {
    expect(Value.Check(GeminiErrorBody, loadFixture('gemini', name))).toBe(true)
  })
})

describe('decodeResult replays the recorded answers', () => {
  test('text: one choice, usage with the cached tokens split out', () => {
    const fixture = loadFixture<Response>('gemini', 'gemini-text.json')
    expect(hub.decodeResult(fixture, testEnv())).toEqual({
      id: fixture.responseId,
      model: fixture.modelVersion,
      created,
      choices: [{ index: 0, content: [{ type: 'text', text: 'The capital of France is **Paris**.' }], finishReason: 'stop', rawFinishReason: 'STOP' }],
      usage: { inputTokens: 123, cacheReadTokens: 2031, cacheWriteTokens: 0, outputTokens: 38, reasoningTokens: 29, raw: fixture.usageMetadata },
    })
  })

  test('function call: STOP with a call is tool-calls; the id comes from the env; the signature precedes the call', () => {
    const fixture = loadFixture<Response>('gemini', 'gemini-function-call.json')
    const part = fixture.candidates![0]!.content.parts[0] as { functionCall: { name: string; args: Json }; thoughtSignature: string }
    expect(hub.decodeResult(fixture, testEnv()).choices).toEqual([
      {
        index: 0,
        content: [
          { type: 'reasoning', text: '', signature: part.thoughtSignature, signatureOrigin: 'google' },
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: JSON.stringify(part.functionCall.args) },
        ],
        finishReason: 'tool-calls',
        rawFinishReason: 'STOP',
      },
    ])
  })

  test('thinking: thought parts are reasoning, thoughts count as output and reasoning', () => {
    const fixture = loadFixture<Response>('gemini', 'gemini-thinking.json')
    const [thought, answer] = fixture.candidates![0]!.content.parts as Array<{ text: string }>
    const result = hub.decodeResult(fixture, testEnv())
    expect(result.choices[0]?.content).toEqual([
      { type: 'reasoning', text: thought!.text },
      { type: 'text', text: answer!.text },
    ])
    expect(result.usage).toMatchObject({ inputTokens: 13, outputTokens: 49 + 658, reasoningTokens: 658 })
  })

  test('a prompt blocked by safety is one empty choice finished by content-filter, prompt tokens billed', () => {
    const fixture = loadFixture<Response>('gemini', 'gemini-safety-blocked.json')
    expect(hub.decodeResult(fixture, testEnv())).toEqual({
      id: fixture.responseId,
      model: 'gemini-2.0-flash',
      created,
      choices: [{ index: 0, content: [], finishReason: 'content-filter', rawFinishReason: 'SAFETY' }],
      usage: { inputTokens: 17, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, raw: fixture.usageMetadata },
    })
  })

  test('several candidates are several choices; a candidate without parts is an empty choice', () => {
    const fixture = loadFixture<Response & Json>('gemini', 'gemini-text.json')
    const body = {
      ...fixture,
      candidates: [
        fixture.candidates![0],
        { content: { parts: [{ text: 'Paris.' }], role: 'model' }, finishReason: 'STOP', index: 1 },
        { content: { role: 'model' }, finishReason: 'MAX_TOKENS', index: 2 },
      ],
    }
    expect(hub.decodeResult(body, testEnv()).choices.map((choice) => [choice.index, choice.content.length, choice.finishReason])).toEqual([
      [0, 1, 'stop'],
      [1, 1, 'stop'],
      [2, 0, 'length'],
    ])
  })

  test('a body with neither candidates nor a block reason is a bad upstream answer', () => {
    expect(() => hub.decodeResult({ usageMetadata: {} }, testEnv())).toThrow(
      expect.objectContaining({ status: 502, code: 'bad_upstream_response', message: 'Upstream answered without candidates' }),
    )
    expect(() => hub.decodeResult([], testEnv())).toThrow('not a JSON object')
  })
})

describe('encodeResult', () => {
  const result: HubResult = {
    id: 'chatcmpl-abc',
    model: 'gpt-4.1-mini',
    created: 1_750_000_000,
    choices: [
      {
        index: 0,
        finishReason: 'tool-calls',
        content: [
          { type: 'reasoning', text: 'Paris, surely.' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        ],
      },
    ],
    usage: { inputTokens: 100, cacheReadTokens: 1024, cacheWriteTokens: 10, outputTokens: 50, reasoningTokens: 20 },
  }

  test('a GenerateContentResponse exactly as Gemini shapes it, call ids kept for the client', () => {
    const encoded = hub.encodeResult(result, testEnv())
    expect(encoded).toEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: 'Paris, surely.', thought: true },
              { text: 'Let me check.' },
              { functionCall: { id: 'call_1', name: 'get_weather', args: { location: 'Paris' } } },
            ],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 1134, candidatesTokenCount: 30, totalTokenCount: 1184, cachedContentTokenCount: 1024, thoughtsTokenCount: 20 },
      modelVersion: 'gpt-4.1-mini',
      responseId: 'chatcmpl-abc',
    })
    expect(Value.Check(GeminiGenerateContentResponse, encoded)).toBe(true)
  })

  test('an empty choice keeps a content with only its role; a raw Gemini reason is kept; a missing id comes from the env', () => {
    const encoded = hub.encodeResult(
      { id: '', model: 'm', created: 1, choices: [{ index: 0, content: [], finishReason: 'content-filter', rawFinishReason: 'PROHIBITED_CONTENT' }] },
      testEnv(),
    )
    expect(encoded).toEqual({ candidates: [{ content: { role: 'model' }, finishReason: 'PROHIBITED_CONTENT', index: 0 }], modelVersion: 'm', responseId: '1' })
  })

  test.each(['gemini-text.json', 'gemini-function-call.json', 'gemini-thinking.json', 'gemini-safety-blocked.json'])(
    'decodeResult(encodeResult(x)) keeps %s',
    (name) => {
      const decoded = hub.decodeResult(loadFixture('gemini', name), testEnv())
      const again = hub.decodeResult(hub.encodeResult(decoded, testEnv()), testEnv())
      expect(withoutRaw(again)).toEqual(withoutRaw(decoded))
    },
  )
})

describe('decodeStream replays the recorded streams', () => {
  test('text: one message-start, the text in order, finish, then the last usage once at the end', async () => {
    const chunks = loadChunks<Response>('gemini', 'gemini-text.chunks.txt')
    const events = await collect(hub.decodeStream(streamOf(geminiSse('gemini-text.chunks.txt')), testEnv()))
    expect(events[0]).toEqual({ type: 'message-start', id: chunks[0]!.responseId, model: 'gemini-2.5-flash', created })
    expect(events.filter((event) => event.type === 'message-start')).toHaveLength(1)
    expect(spelled(events).text).toBe(chunks.map((chunk) => chunk.candidates![0]!.content.parts.map((part) => part.text).join('')).join(''))
    expect(events.slice(-2)).toEqual([
      { type: 'finish', index: 0, reason: 'stop', rawReason: 'STOP' },
      { type: 'usage', usage: convertGeminiUsage(chunks.at(-1)!.usageMetadata) },
    ])
    expect(events.filter((event) => event.type === 'usage')).toHaveLength(1)
  })

  test('thinking: thought chunks are reasoning deltas before the answer', async () => {
    const events = await collect(hub.decodeStream(streamOf(geminiSse('gemini-thinking.chunks.txt')), testEnv()))
    expect(events.map((event) => event.type)).toEqual(['message-start', 'reasoning-delta', 'reasoning-delta', 'text-delta', 'text-delta', 'finish', 'usage'])
    expect(spelled(events).reasoning).toStartWith('**Listing the Primes**')
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { outputTokens: 49 + 658, reasoningTokens: 658 } })
  })

  test('function call: the signature, then a start and one delta with the whole arguments, finish tool-calls', async () => {
    const part = loadChunks<Response>('gemini', 'gemini-function-call.chunks.txt')[0]!.candidates![0]!.content.parts[0] as {
      functionCall: { args: Json }
      thoughtSignature: string
    }
    const events = await collect(hub.decodeStream(streamOf(geminiSse('gemini-function-call.chunks.txt')), testEnv()))
    expect(events.slice(1, -1)).toEqual([
      { type: 'reasoning-delta', index: 0, text: '', signature: part.thoughtSignature, signatureOrigin: 'google' },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: JSON.stringify(part.functionCall.args) },
      { type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'STOP' },
    ] satisfies HubEvent[])
  })

  test('calls spread over chunks and candidates keep their own tool indexes', async () => {
    const chunk = (candidates: Json[]) => ({ data: JSON.stringify({ candidates, responseId: 'r', modelVersion: 'gemini-2.5-flash' }) })
    const call = (name: string, index: number, finishReason?: string) => ({
      content: { parts: [{ functionCall: { id: `${name}-${index}`, name, args: {} } }], role: 'model' },
      index,
      ...(finishReason ? { finishReason } : {}),
    })
    const events = await collect(
      hub.decodeStream(streamOf([chunk([call('a', 0), call('b', 1)]), chunk([call('c', 0, 'STOP'), call('d', 1, 'MAX_TOKENS')])]), testEnv()),
    )
    expect(
      events
        .filter((event) => event.type === 'tool-call-start' || event.type === 'finish')
        .map((event) => (event.type === 'finish' ? `${event.index}:${event.reason}` : `${event.index}:${event.toolIndex}:${event.id}`)),
    ).toEqual(['0:0:a-0', '1:0:b-1', '0:1:c-0', '0:tool-calls', '1:1:d-1', '1:length'])
  })

  test('a blocked prompt finishes with content-filter', async () => {
    const events = await collect(hub.decodeStream(streamOf([{ data: JSON.stringify(loadFixture('gemini', 'gemini-safety-blocked.json')) }]), testEnv()))
    expect(events.map((event) => event.type)).toEqual(['message-start', 'finish', 'usage'])
    expect(events[1]).toEqual({ type: 'finish', index: 0, reason: 'content-filter', rawReason: 'SAFETY' })
  })

  test('a malformed chunk ends the stream with an error (after the usage seen so far); so does an error chunk', async () => {
    const malformed = await collect(
      hub.decodeStream(
        streamOf([...geminiSse('gemini-text.chunks.txt').slice(0, 2), { data: '{"candidates": [' }, ...geminiSse('gemini-text.chunks.txt').slice(2)]),
        testEnv(),
      ),
    )
    expect(malformed.slice(-2).map((event) => event.type)).toEqual(['usage', 'error'])
    expect(malformed.at(-1)).toEqual({ type: 'error', status: 502, code: 'bad_upstream_response', message: 'Upstream sent a malformed stream chunk' })
    expect(malformed.some((event) => event.type === 'finish')).toBe(false)
    const failed = await collect(hub.decodeStream(streamOf([{ data: JSON.stringify(loadFixture('gemini', 'gemini-error-503.json')) }]), testEnv()))
    expect(failed).toEqual([{ type: 'error', status: 503, code: 'upstream_error', message: 'The model is overloaded. Please try again later.' }])
  })
})

describe('encodeStream', () => {
  const usage = { inputTokens: 10, cacheReadTokens: 4, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 2 }
  const events: HubEvent[] = [
    { type: 'message-start', id: 'msg_01', model: 'claude-sonnet-4-5', created: 1_750_000_000 },
    { type: 'reasoning-delta', index: 0, text: 'Hm.' },
    { type: 'reasoning-delta', index: 0, text: '', signature: 'sig-claude' },
    { type: 'text-delta', index: 0, text: 'Checking.' },
    { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'toolu_1', name: 'get_weather' },
    { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":' },
    { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
    { type: 'tool-call-start', index: 0, toolIndex: 1, id: 'toolu_2', name: 'get_weather' },
    { type: 'tool-call-delta', index: 0, toolIndex: 1, argumentsDelta: '{"location":"Lyon"}' },
    { type: 'usage', usage },
    { type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'tool_use' },
  ]

  test('chunks as Gemini sends them: text at once, whole calls, finish and usage on the last chunk', async () => {
    const sse = await collect(hub.encodeStream(streamOf(events), testEnv()))
    const tail = { modelVersion: 'claude-sonnet-4-5', responseId: 'msg_01' }
    const candidate = (parts: Json[], extra: Json = {}) => ({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }] })
    expect(sse.map((event) => JSON.parse(event.data))).toEqual([
      { ...candidate([{ text: 'Hm.', thought: true }]), ...tail },
      { ...candidate([{ text: 'Checking.', thoughtSignature: 'sig-claude' }]), ...tail },
      { ...candidate([{ functionCall: { id: 'toolu_1', name: 'get_weather', args: { location: 'Paris' } } }]), ...tail },
      {
        candidates: [
          {
            content: { parts: [{ functionCall: { id: 'toolu_2', name: 'get_weather', args: { location: 'Lyon' } } }], role: 'model' },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 14, candidatesTokenCount: 5, totalTokenCount: 21, cachedContentTokenCount: 4, thoughtsTokenCount: 2 },
        ...tail,
      },
    ])
    expect(sse.every((event) => event.event === undefined)).toBe(true)
  })

  test('a plain answer ends with an empty text part carrying the finish reason and usage', async () => {
    const sse = await collect(
      hub.encodeStream(
        streamOf<HubEvent>([
          { type: 'text-delta', index: 0, text: 'Hi' },
          { type: 'finish', index: 0, reason: 'length' },
          { type: 'usage', usage },
        ]),
        testEnv(),
      ),
    )
    expect(JSON.parse(sse.at(-1)!.data)).toEqual({
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'MAX_TOKENS', index: 0 }],
      usageMetadata: { promptTokenCount: 14, candidatesTokenCount: 5, totalTokenCount: 21, cachedContentTokenCount: 4, thoughtsTokenCount: 2 },
      modelVersion: '',
      responseId: '1',
    })
  })

  test('an error ends the stream with Google error JSON', async () => {
    const sse = await collect(
      hub.encodeStream(
        streamOf<HubEvent>([events[0]!, events[3]!, { type: 'error', status: 429, code: 'rate_limited', message: 'Upstream rate limit' }]),
        testEnv(),
      ),
    )
    expect(sse).toHaveLength(2)
    expect(JSON.parse(sse[1]!.data)).toEqual({
      error: {
        code: 429,
        message: 'Upstream rate limit',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'rate_limited', domain: 'hanggent-api' }],
      },
    })
  })

  test('a stream that ends without finishing gets an error, never a finish reason', async () => {
    const sse = await collect(hub.encodeStream(streamOf(events.slice(0, 4)), testEnv()))
    expect(JSON.parse(sse.at(-1)!.data)).toMatchObject({
      error: { code: 502, status: 'UNAVAILABLE', message: 'Upstream stream ended before the answer was complete' },
    })
    expect(sse.some((event) => event.data.includes('finishReason'))).toBe(false)
  })

  test.each(['gemini-text.chunks.txt', 'gemini-function-call.chunks.txt', 'gemini-thinking.chunks.txt'])(
    'decodeStream(encodeStream(decodeStream(%s))) gives the same hub events',
    async (name) => {
      const decoded = await collect(hub.decodeStream(streamOf(geminiSse(name)), testEnv()))
      const again = await collect(hub.decodeStream(hub.encodeStream(streamOf(decoded), testEnv()), testEnv()))
      expect(comparable(again)).toEqual(comparable(decoded))
    },
  )

  test('encodeStream → decodeStream keeps a hub stream from another provider', async () => {
    const again = await collect(hub.decodeStream(hub.encodeStream(streamOf(events), testEnv()), testEnv()))
    expect(spelled(again)).toEqual(spelled(events))
    expect(
      again
        .filter((event) => event.type === 'finish' || event.type === 'usage')
        .map((event) => (event.type === 'finish' ? event.reason : event.usage.outputTokens)),
    ).toEqual(['tool-calls', 7])
  })
})
