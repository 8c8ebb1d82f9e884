import { describe, expect, test } from 'bun:test'
import { readChunk, sseData } from './chat-stream.ts'

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part))
      controller.close()
    },
  })
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const events: string[] = []
  for await (const data of sseData(stream)) events.push(data)
  return events
}

describe('playground stream reading', () => {
  test('events split across reads, CRLF lines, comments and a last event without a blank line', async () => {
    expect(await collect(streamOf('data: {"a"', ':1}\r\n\r\n: keep-alive\n\ndata: x\ndata: y\n\n', 'data: [DONE]'))).toEqual(['{"a":1}', 'x\ny', '[DONE]'])
  })

  test('text, reasoning, usage, finish and in-stream errors', () => {
    expect(readChunk('{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}')).toEqual({ content: 'Hi' })
    expect(readChunk('{"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]}')).toEqual({ reasoning: 'hmm' })
    expect(readChunk('{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}')).toEqual({ finishReason: 'stop' })
    expect(
      readChunk('{"choices":[],"usage":{"prompt_tokens":24,"completion_tokens":15,"total_tokens":39,"completion_tokens_details":{"reasoning_tokens":3}}}')
        .usage,
    ).toEqual({ promptTokens: 24, completionTokens: 15, totalTokens: 39, cachedTokens: 0, reasoningTokens: 3 })
    expect(readChunk('{"error":{"message":"upstream broke","type":"server_error","code":"upstream_error"}}')).toEqual({
      error: { message: 'upstream broke', code: 'upstream_error' },
    })
    expect(readChunk('[DONE]')).toEqual({ done: true })
  })
})
