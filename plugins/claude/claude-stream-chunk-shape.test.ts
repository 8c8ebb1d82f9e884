import { describe, expect, test } from 'bun:test'
import { createClaudeStreamDecoder } from './claude-stream-decode.ts'
import { testEnv } from './claude-test-support.ts'

const messageStart =
  '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}'

/** The events of `data` (SSE event `name`) after a message_start, and whether the decoder is then done. */
function decode(name: string, data: string) {
  const decoder = createClaudeStreamDecoder(testEnv())
  decoder.push({ event: 'message_start', data: messageStart })
  return { events: decoder.push({ event: name, data }), done: decoder.done }
}

describe('Anthropic stream events of the wrong shape are a clean malformed-chunk error naming the member', () => {
  test('a content_block_delta without delta, a text delta that is a number, a tool_use start without its id, an index that is text', () => {
    const cases: Array<[string, string, string]> = [
      ['content_block_delta', '{"type":"content_block_delta","index":0}', '/delta'],
      ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}}', '/delta/text'],
      ['content_block_start', '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","name":"f","input":{}}}', '/content_block/id'],
      ['content_block_delta', '{"type":"content_block_delta","index":"0","delta":{"type":"input_json_delta","partial_json":"{"}}', '/index'],
    ]
    for (const [name, data, member] of cases) {
      const { events, done } = decode(name, data)
      expect(events).toEqual([{ type: 'error', status: 502, code: 'bad_upstream_response', message: expect.stringContaining('Anthropic') }])
      expect((events[0] as { message: string }).message).toContain(member)
      expect(done).toBe(true)
    }
  })

  test('event, block and delta types it does not read still pass with only their frame checked', () => {
    expect(decode('ping', '{"type":"ping"}')).toEqual({ events: [], done: false })
    expect(
      decode('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"s","name":"web_search"}}'),
    ).toEqual({ events: [], done: false })
    expect(decode('content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}')).toEqual({
      events: [],
      done: false,
    })
    expect(decode('content_block_delta', '{"index":0,"delta":{"type":"text_delta","text":"hi"}}').events).toEqual([
      { type: 'text-delta', index: 0, text: 'hi' },
    ])
  })
})
