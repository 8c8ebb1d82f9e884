import { describe, expect, test } from 'bun:test'
import { createSseParser, decodeSse, encodeSse, encodeSseBytes, SseBufferOverflowError, type SseEvent } from './sse.ts'

const encoder = new TextEncoder()

function parseAll(chunks: Array<string | Uint8Array>, options?: { maxBufferBytes?: number }): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((event) => events.push(event), options)
  for (const chunk of chunks) parser.push(chunk)
  parser.end()
  return events
}

/** Every way of cutting `bytes` into three chunks, as the network may deliver them. */
function* threeWayCuts(bytes: Uint8Array, step: number): Generator<Uint8Array[]> {
  for (let first = 0; first <= bytes.length; first += step) {
    for (let second = first; second <= bytes.length; second += step) {
      yield [bytes.subarray(0, first), bytes.subarray(first, second), bytes.subarray(second)]
    }
  }
}

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const collected: SseEvent[] = []
  for await (const event of events) collected.push(event)
  return collected
}

// A chat completion stream as OpenAI sends it, with multi-byte text and a usage chunk.
const openAIChunks = [
  {
    id: 'chatcmpl-BcX7r',
    object: 'chat.completion.chunk',
    created: 1748736180,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    usage: null,
  },
  {
    id: 'chatcmpl-BcX7r',
    object: 'chat.completion.chunk',
    created: 1748736180,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta: { content: '巴黎是法国的首都' }, finish_reason: null }],
    usage: null,
  },
  {
    id: 'chatcmpl-BcX7r',
    object: 'chat.completion.chunk',
    created: 1748736180,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta: { content: ' 🇫🇷🙂' }, finish_reason: null }],
    usage: null,
  },
  {
    id: 'chatcmpl-BcX7r',
    object: 'chat.completion.chunk',
    created: 1748736180,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: null,
  },
  {
    id: 'chatcmpl-BcX7r',
    object: 'chat.completion.chunk',
    created: 1748736180,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [],
    usage: { prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 },
  },
].map((chunk) => JSON.stringify(chunk))
const openAIStream = [...openAIChunks, '[DONE]'].map((data) => `data: ${data}\n\n`).join('')
const openAIEvents: SseEvent[] = [...openAIChunks, '[DONE]'].map((data) => ({ data }))

// A Claude Messages stream: every event is named, and a keepalive ping comment arrives mid-stream.
const anthropicStream = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":12,"output_tokens":1}}}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '',
  ': ping',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"你好，世界 👋"}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n')

describe('SSE parser', () => {
  test('parses an OpenAI chat stream into its data events, [DONE] included', () => {
    const events = parseAll([openAIStream])
    expect(events).toEqual(openAIEvents)
    expect(JSON.parse(events[2]!.data).choices[0].delta.content).toBe(' 🇫🇷🙂')
  })

  test('gives the same events whatever byte position the stream is cut at', () => {
    const bytes = encoder.encode(openAIStream)
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(openAIEvents)
    }
    expect(parseAll([...bytes].map((byte) => new Uint8Array([byte])))).toEqual(openAIEvents)
  })

  test('gives the same events for three-chunk cuts of a CRLF stream', () => {
    const bytes = encoder.encode(openAIStream.replaceAll('\n', '\r\n'))
    for (const chunks of threeWayCuts(bytes, 7)) expect(parseAll(chunks)).toEqual(openAIEvents)
  })

  test('accepts CRLF and bare CR line ends, a CRLF split across chunks counting once', () => {
    expect(parseAll([openAIStream.replaceAll('\n', '\r\n')])).toEqual(openAIEvents)
    expect(parseAll([openAIStream.replaceAll('\n', '\r')])).toEqual(openAIEvents)
    expect(parseAll(['event: a\r', '\ndata: 1\r', '\n\r', '\n'])).toEqual([{ event: 'a', data: '1' }])
    expect(parseAll(['data: a\r\n\r\n', 'data: b\r', '\r', '\n', 'data: c\n\n'])).toEqual([{ data: 'a' }, { data: 'b' }, { data: 'c' }])
  })

  test('an empty chunk between a CR and its LF does not make an extra blank line', () => {
    expect(parseAll(['event: delta\r', '', '\ndata: x\r\n\r\n'])).toEqual([{ event: 'delta', data: 'x' }])
    expect(parseAll([encoder.encode('event: delta\r'), new Uint8Array(0), encoder.encode('\ndata: x\r\n\r\n')])).toEqual([{ event: 'delta', data: 'x' }])
  })

  test('decodes Chinese and emoji split inside their UTF-8 bytes', () => {
    const bytes = encoder.encode('data: 你好🙂\n\n')
    const emojiStart = bytes.indexOf(0xf0)
    expect(parseAll([bytes.subarray(0, 7), bytes.subarray(7, emojiStart + 2), bytes.subarray(emojiStart + 2)])).toEqual([{ data: '你好🙂' }])
  })

  test('reads named events and skips keepalive comments (Anthropic style)', () => {
    const events = parseAll([encoder.encode(anthropicStream)])
    expect(events.map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'message_stop'])
    expect(JSON.parse(events[2]!.data).delta.text).toBe('你好，世界 👋')
    expect(parseAll([': ping\n\n', ':\n', 'data: a\n', ': ping inside an event\n', 'data: b\n\n'])).toEqual([{ data: 'a\nb' }])
  })

  test('joins multi-line data with \\n, keeps empty data lines, reads ids', () => {
    expect(parseAll(['id: 7\ndata: line one\ndata:\ndata: line three\n\n'])).toEqual([{ id: '7', data: 'line one\n\nline three' }])
    expect(parseAll(['data\n\n'])).toEqual([{ data: '' }])
  })

  test('strips exactly one space after the colon and ignores unknown fields', () => {
    expect(parseAll(['data:x\n\ndata:  y\n\nretry: 10\nfoo: bar\ndata: z\n\n'])).toEqual([{ data: 'x' }, { data: ' y' }, { data: 'z' }])
  })

  test('dispatches nothing for an event without data, and its name does not leak into the next event', () => {
    expect(parseAll(['event: ping\n\n', 'data: after\n\n'])).toEqual([{ data: 'after' }])
  })

  test('follows the spec on a leading byte order mark and ids holding NUL', () => {
    expect(parseAll([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf]), 'data: a\n\n'])).toEqual([{ data: 'a' }])
    expect(parseAll(['id: a\0b\ndata: x\n\n'])).toEqual([{ data: 'x' }])
  })

  test('dispatches a last event with no blank line after it', () => {
    expect(parseAll(['data: tail'])).toEqual([{ data: 'tail' }])
    expect(parseAll(['event: message_stop\ndata: {"type":"message_stop"}\n'])).toEqual([{ event: 'message_stop', data: '{"type":"message_stop"}' }])
    expect(parseAll(['data: [DONE]\r'])).toEqual([{ data: '[DONE]' }])
  })

  test('throws SseBufferOverflowError when an unterminated line outgrows the limit', () => {
    expect(() => parseAll(['data: ' + 'x'.repeat(100)], { maxBufferBytes: 50 })).toThrow(SseBufferOverflowError)
    const parser = createSseParser(() => undefined, { maxBufferBytes: 50 })
    expect(() => {
      for (let index = 0; index < 60; index++) parser.push(encoder.encode('x'))
    }).toThrow(SseBufferOverflowError)
  })

  test('does not count a line twice once its end arrives in a later chunk', () => {
    const line = 'data: ' + 'x'.repeat(30)
    expect(parseAll([line, '\n\n'], { maxBufferBytes: 50 })).toEqual([{ data: 'x'.repeat(30) }])
    expect(parseAll([encoder.encode(line), encoder.encode('\ndata: y\n\n')], { maxBufferBytes: 50 })).toEqual([{ data: 'x'.repeat(30) + '\ny' }])
  })

  test('measures the limit in bytes, so multi-byte text reaches it sooner than its length suggests', () => {
    const line = encoder.encode('data: ' + '你'.repeat(20))
    expect(() => parseAll([line], { maxBufferBytes: 50 })).toThrow(SseBufferOverflowError)
  })

  test('throws when one event piles up data lines beyond the limit, but not for many small events', () => {
    expect(() => parseAll(['data: 0123456789\n'.repeat(10)], { maxBufferBytes: 50 })).toThrow(SseBufferOverflowError)
    expect(parseAll(['data: 0123456789\n\n'.repeat(100)], { maxBufferBytes: 50 })).toHaveLength(100)
  })

  test('stays linear on a long line delivered in tiny chunks', () => {
    const events: SseEvent[] = []
    const parser = createSseParser((event) => events.push(event))
    parser.push('data: ')
    const piece = encoder.encode('x'.repeat(16))
    for (let index = 0; index < 200_000; index++) parser.push(piece)
    parser.push('\n\n')
    expect(events).toHaveLength(1)
    expect(events[0]!.data.length).toBe(3_200_000)
  })
})

describe('decodeSse', () => {
  test('yields the first event before the source has finished', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const source = new ReadableStream<Uint8Array>({
      start: (streamController) => {
        controller = streamController
      },
    })
    const events = decodeSse(source)
    controller.enqueue(encoder.encode('data: first\n\ndata: sec'))
    expect(await events.next()).toEqual({ done: false, value: { data: 'first' } })
    controller.enqueue(encoder.encode('ond\n\n'))
    expect(await events.next()).toEqual({ done: false, value: { data: 'second' } })
    controller.enqueue(encoder.encode('data: last, without a blank line'))
    controller.close()
    expect(await events.next()).toEqual({ done: false, value: { data: 'last, without a blank line' } })
    expect((await events.next()).done).toBe(true)
  })

  test('reads any async iterable of byte chunks', async () => {
    async function* chunks() {
      const bytes = encoder.encode(anthropicStream)
      for (let index = 0; index < bytes.length; index += 5) yield bytes.subarray(index, index + 5)
    }
    expect(await collect(decodeSse(chunks()))).toEqual(parseAll([anthropicStream]))
  })

  test('cancels the source when the consumer stops early', async () => {
    let cancelled = false
    const source = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(encoder.encode('data: one\n\ndata: two\n\n')),
      cancel: () => {
        cancelled = true
      },
    })
    for await (const event of decodeSse(source)) {
      expect(event.data).toBe('one')
      break
    }
    expect(cancelled).toBe(true)
  })

  test('releases the stream once it is read to the end', async () => {
    const source = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(encoder.encode('data: x\n\n'))
        controller.close()
      },
    })
    expect(await collect(decodeSse(source))).toEqual([{ data: 'x' }])
    expect(source.locked).toBe(false)
  })

  test('rejects with SseBufferOverflowError and cancels the source on an oversized line', async () => {
    let cancelled = false
    const source = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(encoder.encode('x'.repeat(32))),
      cancel: () => {
        cancelled = true
      },
    })
    await expect(collect(decodeSse(source, { maxBufferBytes: 100 }))).rejects.toBeInstanceOf(SseBufferOverflowError)
    expect(cancelled).toBe(true)
  })
})

describe('encodeSse', () => {
  test('frames an OpenAI stream byte for byte as OpenAI does', () => {
    expect(openAIEvents.map(encodeSse).join('')).toBe(openAIStream)
  })

  test('frames events so the parser reads them back unchanged', () => {
    const events: SseEvent[] = [{ data: '{"x":1}' }, { event: 'content_block_delta', data: 'a\nb' }, { id: '3', data: '' }, { data: ' leading space' }]
    expect(parseAll([events.map(encodeSse).join('')])).toEqual(events)
    expect(encodeSse({ event: 'message_stop', data: '{"type":"message_stop"}' })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n')
  })

  test('splits CR and CRLF inside data into data lines so they cannot break the framing', () => {
    const framed = encodeSse({ data: 'a\rb\r\nc' })
    expect(framed).toBe('data: a\ndata: b\ndata: c\n\n')
    expect(parseAll([framed])).toEqual([{ data: 'a\nb\nc' }])
  })

  test('encodeSseBytes is the UTF-8 of encodeSse', () => {
    const event = { event: 'delta', data: '你好🙂' }
    expect(new TextDecoder().decode(encodeSseBytes(event))).toBe(encodeSse(event))
  })
})
