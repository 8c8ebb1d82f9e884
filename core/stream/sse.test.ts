import { describe, expect, test } from 'bun:test'
import { createSseParser, decodeSse, encodeSse, SseBufferOverflowError, type SseEvent } from './sse.ts'

const encoder = new TextEncoder()

function parseAll(chunks: Array<string | Uint8Array>, options?: { maxBufferBytes?: number }): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((event) => events.push(event), options)
  for (const chunk of chunks) parser.push(chunk)
  parser.end()
  return events
}

const openAIStream = [
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"你好🙂"}}]}',
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  'data: [DONE]',
].map((line) => `${line}\n\n`).join('')

describe('SSE parser', () => {
  const expected = parseAll([openAIStream])

  test('parses an OpenAI stream', () => {
    expect(expected.map((event) => event.data.slice(0, 12))).toEqual(['{"id":"chatc', '{"id":"chatc', '{"id":"chatc', '[DONE]'])
    expect(JSON.parse(expected[1]!.data).choices[0].delta.content).toBe('你好🙂')
  })

  test('gives the same events whatever the byte chunking, multi-byte characters included', () => {
    const bytes = encoder.encode(openAIStream)
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseAll([bytes.slice(0, cut), bytes.slice(cut)])).toEqual(expected)
    }
    expect(parseAll([...bytes].map((byte) => new Uint8Array([byte])))).toEqual(expected)
  })

  test('accepts CRLF and bare CR line ends, including a CRLF split across chunks', () => {
    expect(parseAll([openAIStream.replaceAll('\n', '\r\n')])).toEqual(expected)
    expect(parseAll([openAIStream.replaceAll('\n', '\r')])).toEqual(expected)
    expect(parseAll(['data: a\r', '\n\r', '\ndata: b\r\n\r\n'])).toEqual([{ data: 'a' }, { data: 'b' }])
  })

  test('reads event names, ids, multi-line data, and skips comments', () => {
    const text = ': ping\n\nevent: message_start\nid: 7\ndata: {"a":1}\n\ndata: line one\ndata: line two\n\nevent: empty\n\n'
    expect(parseAll([text])).toEqual([{ event: 'message_start', id: '7', data: '{"a":1}' }, { data: 'line one\nline two' }])
  })

  test('keeps a space-free value and strips only one leading space', () => {
    expect(parseAll(['data:x\n\ndata:  y\n\n'])).toEqual([{ data: 'x' }, { data: ' y' }])
  })

  test('flushes a last event with no blank line after it', () => {
    expect(parseAll(['data: tail'])).toEqual([{ data: 'tail' }])
  })

  test('refuses a line longer than the buffer limit', () => {
    expect(() => parseAll(['data: ' + 'x'.repeat(100)], { maxBufferBytes: 50 })).toThrow(SseBufferOverflowError)
  })
})

describe('decodeSse', () => {
  test('yields the first event before the source has finished', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const source = new ReadableStream<Uint8Array>({ start: (c) => { controller = c } })
    const events = decodeSse(source)
    controller.enqueue(encoder.encode('data: first\n\n'))
    const first = await events.next()
    expect(first.value).toEqual({ data: 'first' })
    controller.enqueue(encoder.encode('data: second\n\n'))
    controller.close()
    expect((await events.next()).value).toEqual({ data: 'second' })
    expect((await events.next()).done).toBe(true)
  })

  test('cancels the source when the consumer stops early', async () => {
    let cancelled = false
    const source = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(encoder.encode('data: one\n\ndata: two\n\n')),
      cancel: () => { cancelled = true },
    })
    for await (const event of decodeSse(source)) {
      expect(event.data).toBe('one')
      break
    }
    expect(cancelled).toBe(true)
  })
})

describe('encodeSse', () => {
  test('frames events so the parser reads them back unchanged', () => {
    const events: SseEvent[] = [{ data: '{"x":1}' }, { event: 'content_block_delta', data: 'a\nb' }, { id: '3', data: '' }]
    const text = events.map(encodeSse).join('')
    expect(text.startsWith('data: {"x":1}\n\n')).toBe(true)
    expect(parseAll([text])).toEqual(events)
  })
})
