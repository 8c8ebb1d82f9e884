import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { ApiError, GoogleGenAI } from '@google/genai'
import type { HubEvent, HubResult } from '@hanggent/plugin-sdk'
import { encodeSse, type SseEvent } from '@hanggent/plugin-sdk'
import { geminiGenerateHub as hub } from './gemini-hub.ts'
import { collect, streamOf, testEnv } from './gemini-test-support.ts'

// The official @google/genai SDK reads what the encoders write, served as is by a bare HTTP server:
// answers must parse, streamed chunks must add up to the hub answer, and the SDK's chat must keep the
// streamed turn in its history (it drops a turn when any chunk lacks parts). The SDK's default API
// version is v1, which the dialect also answers.

let next: { json?: unknown; sse?: SseEvent[] } = {}
const seen: Array<{ url: string; key: string | null }> = []
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(request) {
    seen.push({ url: request.url, key: request.headers.get('x-goog-api-key') })
    if (next.sse) return new Response(next.sse.map(encodeSse).join(''), { headers: { 'content-type': 'text/event-stream' } })
    return Response.json(next.json)
  },
})
afterAll(() => server.stop(true))
beforeEach(() => {
  seen.length = 0
})
const client = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: `http://127.0.0.1:${server.port}` } })

const usage = { inputTokens: 40, cacheReadTokens: 8, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 12 }
const answer: HubResult = {
  id: 'msg_01XYZ',
  model: 'claude-sonnet-4-5',
  created: 1_750_000_000,
  choices: [
    {
      index: 0,
      finishReason: 'tool-calls',
      content: [
        { type: 'reasoning', text: 'The user wants weather.' },
        { type: 'text', text: 'Let me check Paris and Lyon.' },
        { type: 'tool-call', id: 'toolu_a', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'tool-call', id: 'toolu_b', name: 'get_weather', arguments: '{"location":"Lyon"}' },
      ],
    },
  ],
  usage,
}
const events: HubEvent[] = [
  { type: 'message-start', id: 'msg_01XYZ', model: 'claude-sonnet-4-5', created: 1_750_000_000 },
  { type: 'reasoning-delta', index: 0, text: 'The user ' },
  { type: 'reasoning-delta', index: 0, text: 'wants weather.' },
  { type: 'text-delta', index: 0, text: 'Let me check ' },
  { type: 'text-delta', index: 0, text: 'Paris and Lyon.' },
  { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'toolu_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":' },
  { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-start', index: 0, toolIndex: 1, id: 'toolu_b', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, toolIndex: 1, argumentsDelta: '{"location":"Lyon"}' },
  { type: 'finish', index: 0, reason: 'tool-calls' },
  { type: 'usage', usage },
]
/** The answer text of a response, read from its parts (the SDK's `text` getter warns about function-call parts). */
const answerText = (response: { candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> } }> }) =>
  (response.candidates?.[0]?.content?.parts ?? [])
    .filter((part) => !part.thought)
    .map((part) => part.text ?? '')
    .join('')

const expectedUsage = { promptTokenCount: 48, candidatesTokenCount: 18, totalTokenCount: 78, cachedContentTokenCount: 8, thoughtsTokenCount: 12 }

describe('the @google/genai SDK reads encoded answers', () => {
  test('generateContent parses encodeResult: text, function calls with ids, usage', async () => {
    next = { json: hub.encodeResult(answer, testEnv()) }
    const response = await client.models.generateContent({ model: 'claude-sonnet-4-5', contents: 'Weather?' })
    expect(seen[0]).toEqual({ url: `http://127.0.0.1:${server.port}/v1/models/claude-sonnet-4-5:generateContent`, key: 'gemini-test-key' })
    expect(answerText(response)).toBe('Let me check Paris and Lyon.')
    expect(response.functionCalls).toEqual([
      { id: 'toolu_a', name: 'get_weather', args: { location: 'Paris' } },
      { id: 'toolu_b', name: 'get_weather', args: { location: 'Lyon' } },
    ])
    expect(response.candidates?.[0]?.finishReason).toBe('STOP' as never)
    expect(response.usageMetadata).toEqual(expectedUsage)
    expect(response.responseId).toBe('msg_01XYZ')
  })

  test('generateContentStream assembles encodeStream into the same answer', async () => {
    next = { sse: await collect(hub.encodeStream(streamOf(events), testEnv())) }
    let text = ''
    let thoughts = ''
    const calls: unknown[] = []
    let last: { finishReason?: unknown; usage?: unknown } = {}
    for await (const chunk of await client.models.generateContentStream({ model: 'claude-sonnet-4-5', contents: 'Weather?' })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) if (part.thought && part.text) thoughts += part.text
      text += answerText(chunk)
      calls.push(...(chunk.functionCalls ?? []))
      last = { finishReason: chunk.candidates?.[0]?.finishReason, usage: chunk.usageMetadata }
    }
    expect(seen[0]?.url).toBe(`http://127.0.0.1:${server.port}/v1/models/claude-sonnet-4-5:streamGenerateContent?alt=sse`)
    expect({ text, thoughts }).toEqual({ text: 'Let me check Paris and Lyon.', thoughts: 'The user wants weather.' })
    expect(calls).toEqual([
      { id: 'toolu_a', name: 'get_weather', args: { location: 'Paris' } },
      { id: 'toolu_b', name: 'get_weather', args: { location: 'Lyon' } },
    ])
    expect(last).toEqual({ finishReason: 'STOP', usage: expectedUsage })
  })

  test('a streamed chat turn lands in the chat history', async () => {
    next = {
      sse: await collect(
        hub.encodeStream(
          streamOf<HubEvent>([events[0]!, events[3]!, events[4]!, { type: 'finish', index: 0, reason: 'stop' }, { type: 'usage', usage }]),
          testEnv(),
        ),
      ),
    }
    const chat = client.chats.create({ model: 'gemini-2.5-flash' })
    for await (const _chunk of await chat.sendMessageStream({ message: 'Hi' })) {
      // drain
    }
    const history = chat.getHistory()
    expect(history.map((content) => content.role)).toEqual(['user', 'model', 'model', 'model'])
    expect(
      history
        .slice(1)
        .flatMap((content) => content.parts ?? [])
        .map((part) => part.text)
        .join(''),
    ).toBe('Let me check Paris and Lyon.')
  })

  test('an error event mid-stream is raised as an ApiError with its status', async () => {
    next = {
      sse: await collect(
        hub.encodeStream(
          streamOf<HubEvent>([events[0]!, events[3]!, { type: 'error', status: 503, code: 'upstream_error', message: 'The model is overloaded.' }]),
          testEnv(),
        ),
      ),
    }
    const received: string[] = []
    const failure = await (async () => {
      for await (const chunk of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' })) received.push(chunk.text ?? '')
    })().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(received).toEqual(['Let me check '])
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).status).toBe(503)
    expect((failure as ApiError).message).toContain('The model is overloaded.')
  })
})
