import { describe, expect, test } from 'bun:test'
import type { HubEvent } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { loadChunks } from '../../tests/support/fixtures.ts'
import { claudeMessagesHub as hub } from './claude-hub.ts'
import { claudeSse, collect, comparable, payloads, spelled, streamOf, testEnv, TEST_NOW } from './claude-test-support.ts'

type Json = Record<string, unknown>
type Recorded = {
  type: string
  index?: number
  message?: { id: string; model: string; usage: Json }
  delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; signature?: string }
  usage?: Json
  content_block?: Json
}

const decode = (events: SseEvent[]) => collect(hub.decodeStream(streamOf(events), testEnv()))
const sse = (payload: Json): SseEvent => ({ event: String(payload.type), data: JSON.stringify(payload) })
const deltasOf = (name: string, field: 'text' | 'thinking' | 'partial_json') =>
  loadChunks<Recorded>('claude', name)
    .map((event) => event.delta?.[field] ?? '')
    .join('')

describe('decodeStream replays the recorded streams', () => {
  test('text: message-start with the input usage, the deltas in order, then finish and the complete usage', async () => {
    const recorded = loadChunks<Recorded>('claude', 'claude-text.chunks.txt')
    const events = await decode(claudeSse('claude-text.chunks.txt'))
    const start = recorded[0]!.message!
    expect(events.slice(0, 2)).toEqual([
      { type: 'message-start', id: start.id, model: start.model, created: TEST_NOW / 1000 },
      { type: 'usage', usage: { inputTokens: 18, cacheReadTokens: 2048, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0, raw: start.usage } },
    ])
    expect(spelled(events).text).toBe(deltasOf('claude-text.chunks.txt', 'text'))
    expect(events.filter((event) => event.type === 'usage')).toHaveLength(2)
    expect(events.slice(-2)).toEqual([
      { type: 'finish', index: 0, reason: 'stop', rawReason: 'end_turn' },
      { type: 'usage', usage: { inputTokens: 18, cacheReadTokens: 2048, cacheWriteTokens: 0, outputTokens: 13, reasoningTokens: 0, raw: expect.anything() } },
    ])
  })

  test('tool use: the text, then the call started once with id and name and its input as fragments', async () => {
    const recorded = loadChunks<Recorded>('claude', 'claude-tool-use.chunks.txt')
    const block = recorded.find((event) => event.content_block?.type === 'tool_use')!.content_block!
    const events = await decode(claudeSse('claude-tool-use.chunks.txt'))
    expect(events.filter((event) => event.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: String(block.id), name: String(block.name) },
    ])
    const { text, calls } = spelled(events)
    expect(text).toBe(deltasOf('claude-tool-use.chunks.txt', 'text'))
    expect(calls[0]?.arguments).toBe(deltasOf('claude-tool-use.chunks.txt', 'partial_json'))
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ location: 'Paris, France', unit: 'celsius' })
    expect(events.at(-2)).toEqual({ type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'tool_use' })
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { inputTokens: 27, cacheWriteTokens: 1562, outputTokens: 89 } })
  })

  test('thinking: reasoning deltas, the signature as a reasoning delta with empty text, then the answer', async () => {
    const signature = loadChunks<Recorded>('claude', 'claude-thinking.chunks.txt').find((event) => event.delta?.type === 'signature_delta')!.delta!.signature!
    const events = await decode(claudeSse('claude-thinking.chunks.txt'))
    expect(spelled(events)).toMatchObject({
      reasoning: deltasOf('claude-thinking.chunks.txt', 'thinking'),
      signatures: [signature],
      text: 'The capital of France is Paris.',
    })
    expect(events).toContainEqual({ type: 'reasoning-delta', index: 0, text: '', signature, signatureOrigin: 'anthropic' })
    const kinds = events.map((event) => event.type)
    expect(kinds.lastIndexOf('reasoning-delta')).toBeLessThan(kinds.indexOf('text-delta'))
  })

  test('events are yielded as they arrive, before the upstream stream ends', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const source = async function* () {
      yield* claudeSse('claude-text.chunks.txt').slice(0, 4)
      await gate
      yield* claudeSse('claude-text.chunks.txt').slice(4)
    }
    const iterator = hub.decodeStream(source(), testEnv())[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toMatchObject({ type: 'message-start' })
    expect((await iterator.next()).value).toMatchObject({ type: 'usage' })
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', index: 0, text: 'The capital' })
    release()
    const rest: HubEvent[] = []
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value)
    expect(rest.at(-1)?.type).toBe('usage')
  })

  test('a stream cut before message_delta never finishes (the input usage is known); one cut between message_delta and message_stop does', async () => {
    const cutEarly = await decode(claudeSse('claude-text.chunks.txt').slice(0, -2))
    expect(cutEarly.some((event) => event.type === 'finish')).toBe(false)
    expect(cutEarly.filter((event): boolean => event.type === 'usage')).toEqual([cutEarly[1]!])
    const cutLate = await decode(claudeSse('claude-text.chunks.txt').slice(0, -1))
    expect(comparable(cutLate)).toEqual(comparable(await decode(claudeSse('claude-text.chunks.txt'))))
  })

  test("an error event ends the stream with a hub error carrying Anthropic's status and type", async () => {
    const events = await decode([
      ...claudeSse('claude-text.chunks.txt').slice(0, 4),
      sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ...claudeSse('claude-text.chunks.txt').slice(4),
    ])
    expect(events.at(-1)).toEqual({ type: 'error', status: 529, code: 'overloaded_error', message: 'Overloaded' })
    expect(events.filter((event) => event.type === 'finish')).toHaveLength(0)
  })

  test('a malformed event ends the stream with a bad_upstream_response error', async () => {
    const events = await decode([
      ...claudeSse('claude-text.chunks.txt').slice(0, 2),
      { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,' },
      ...claudeSse('claude-text.chunks.txt').slice(2),
    ])
    expect(events.at(-1)).toEqual({ type: 'error', status: 502, code: 'bad_upstream_response', message: 'Upstream sent a malformed stream event' })
    expect(events.map((event) => event.type)).toEqual(['message-start', 'usage', 'error'])
  })

  test('older message_delta usage (output only) keeps the input counters of message_start; unknown events are ignored', async () => {
    const start = {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-3-5-haiku-20241022',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 30, cache_read_input_tokens: 5, output_tokens: 1 },
      },
    }
    const events = await decode([
      sse(start),
      sse({ type: 'future_event', x: 1 }),
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'opaque' } }),
      sse({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 7 } }),
      sse({ type: 'message_stop' }),
    ])
    expect(events.slice(2)).toEqual([
      { type: 'reasoning-delta', index: 0, text: '', signature: 'opaque', redacted: true, signatureOrigin: 'anthropic' },
      { type: 'finish', index: 0, reason: 'length', rawReason: 'max_tokens' },
      {
        type: 'usage',
        usage: {
          inputTokens: 30,
          cacheReadTokens: 5,
          cacheWriteTokens: 0,
          outputTokens: 7,
          reasoningTokens: 0,
          raw: { input_tokens: 30, cache_read_input_tokens: 5, output_tokens: 7 },
        },
      },
    ])
  })
})

describe('encodeStream', () => {
  const usage = { inputTokens: 10, cacheReadTokens: 2048, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 2 }
  const events: HubEvent[] = [
    { type: 'message-start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_750_000_000 },
    { type: 'reasoning-delta', index: 0, text: 'Hm.' },
    { type: 'reasoning-delta', index: 0, text: '', signature: 'sig' },
    { type: 'text-delta', index: 0, text: 'Checking' },
    { type: 'text-delta', index: 0, text: '.' },
    { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_1', name: 'get_weather' },
    { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":' },
    { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
    { type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'tool_calls' },
    // OpenAI sends usage after the finish, in a trailing chunk.
    { type: 'usage', usage },
  ]

  test('the exact event sequence an Anthropic SDK expects, usage final in message_delta', async () => {
    const encoded = await collect(hub.encodeStream(streamOf(events), testEnv()))
    expect(payloads(encoded)).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hm.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '.' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"location":' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048, output_tokens: 5 },
      },
      { type: 'message_stop' },
    ])
  })

  test('a msg_ id is kept; thinking after a signature opens a new block; redacted thinking is a block of its own', async () => {
    const encoded = payloads(
      await collect(
        hub.encodeStream(
          streamOf<HubEvent>([
            { type: 'message-start', id: 'msg_keep', model: 'claude-sonnet-4-5', created: 1 },
            { type: 'reasoning-delta', index: 0, text: 'one', signature: 'sig-1' },
            { type: 'reasoning-delta', index: 0, text: 'two' },
            { type: 'reasoning-delta', index: 0, text: '', signature: 'opaque', redacted: true },
            { type: 'finish', index: 0, reason: 'stop' },
          ]),
          testEnv(),
        ),
      ),
    )
    expect((encoded[0]!.message as Json).id).toBe('msg_keep')
    expect(encoded.filter((event) => event.type === 'content_block_start').map((event) => event.content_block)).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'redacted_thinking', data: 'opaque' },
    ])
    expect(encoded.at(-2)).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } })
  })

  test('usage known before message-start goes into message_start', async () => {
    const encoded = payloads(
      await collect(
        hub.encodeStream(
          streamOf<HubEvent>([
            { type: 'usage', usage },
            { type: 'message-start', id: 'msg_2', model: 'm', created: 1 },
            { type: 'finish', index: 0, reason: 'stop' },
          ]),
          testEnv(),
        ),
      ),
    )
    expect((encoded[0]!.message as { usage: Json }).usage).toEqual({
      input_tokens: 10,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 2048,
      output_tokens: 0,
    })
  })

  test('an error ends the stream with an Anthropic error event and no message_stop', async () => {
    const encoded = await collect(
      hub.encodeStream(
        streamOf<HubEvent>([events[0]!, events[3]!, { type: 'error', status: 529, code: 'overloaded_error', message: 'Overloaded' }]),
        testEnv(),
      ),
    )
    expect(encoded.at(-1)).toEqual({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) })
    expect(encoded.some((event) => event.event === 'message_stop')).toBe(false)
  })

  test('a stream that ends without finishing gets an error, never message_stop', async () => {
    const encoded = payloads(await collect(hub.encodeStream(streamOf(events.slice(0, 4)), testEnv())))
    expect(encoded.at(-1)).toEqual({ type: 'error', error: { type: 'api_error', message: 'Upstream stream ended before the answer was complete' } })
  })

  test('events of other choices are ignored; without message-start the id comes from the env', async () => {
    const encoded = payloads(
      await collect(
        hub.encodeStream(
          streamOf<HubEvent>([
            { type: 'text-delta', index: 1, text: 'other' },
            { type: 'text-delta', index: 0, text: 'Hi' },
            { type: 'finish', index: 0, reason: 'length' },
          ]),
          testEnv(),
        ),
      ),
    )
    expect(encoded.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    expect((encoded[0]!.message as Json).id).toBe('msg_1')
    expect(encoded[2]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })
  })

  test.each(['claude-text.chunks.txt', 'claude-tool-use.chunks.txt', 'claude-thinking.chunks.txt'])(
    'decodeStream(encodeStream(decodeStream(%s))) gives the same hub events',
    async (name) => {
      const decoded = await decode(claudeSse(name))
      const again = await collect(hub.decodeStream(hub.encodeStream(streamOf(decoded), testEnv()), testEnv()))
      expect(comparable(again)).toEqual(comparable(decoded))
    },
  )

  test('encodeStream(decodeStream(x)) replays a recorded stream block for block', async () => {
    const recorded = loadChunks<Recorded>('claude', 'claude-tool-use.chunks.txt').filter(
      (event) => event.type !== 'ping' && !(event.delta?.type === 'input_json_delta' && event.delta.partial_json === ''),
    )
    const encoded = payloads(await collect(hub.encodeStream(hub.decodeStream(streamOf(claudeSse('claude-tool-use.chunks.txt')), testEnv()), testEnv())))
    const withoutUsage = (event: Json) => ({ ...event, message: undefined, usage: undefined })
    expect(encoded.map(withoutUsage)).toEqual(recorded.map(withoutUsage))
    expect(encoded.at(-2)?.usage).toEqual({ input_tokens: 27, cache_creation_input_tokens: 1562, cache_read_input_tokens: 0, output_tokens: 89 })
  })
})
