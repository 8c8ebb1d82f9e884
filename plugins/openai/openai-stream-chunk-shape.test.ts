import { describe, expect, test } from 'bun:test'
import type { HubEvent } from '@hanggent/plugin-sdk'
import { createOpenAIChatStreamDecoder } from './openai-chat-stream-decode.ts'
import { createOpenAICompletionsStreamDecoder } from './openai-completions-stream.ts'
import { createOpenAIResponsesStreamDecoder } from './openai-responses-stream-decode.ts'
import { testEnv } from './openai-hub-test-support.ts'

/** The events of a start chunk and then `data`, from a fresh decoder; the decoder is done after a malformed chunk. */
function decode(create: typeof createOpenAIChatStreamDecoder, first: string, data: string): { events: HubEvent[]; done: boolean } {
  const decoder = create(testEnv())
  decoder.push({ data: first })
  return { events: decoder.push({ data }), done: decoder.done }
}

const chatStart =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}'

describe('OpenAI stream chunks of the wrong shape are a clean malformed-chunk error naming the dialect and the member', () => {
  test('chat: choices an object, delta.content a number, a tool call function a string', () => {
    const cases: Array<[string, string]> = [
      ['{"id":"c","choices":{"index":0,"delta":{"content":"hi"}}}', '/choices'],
      ['{"id":"c","choices":[{"index":0,"delta":{"content":42}}]}', '/choices/0/delta/content'],
      ['{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":"f"}]}}]}', '/choices/0/delta/tool_calls/0/function'],
    ]
    for (const [data, member] of cases) {
      const { events, done } = decode(createOpenAIChatStreamDecoder, chatStart, data)
      expect(events).toEqual([{ type: 'error', status: 502, code: 'bad_upstream_response', message: expect.stringContaining('OpenAI chat') }])
      expect((events[0] as { message: string }).message).toContain(member)
      expect(done).toBe(true)
    }
  })

  test('chat: nulls compatible vendors send are still read', () => {
    const data =
      '{"id":null,"model":null,"created":null,"choices":[{"index":0,"delta":{"content":"hi","tool_calls":null,"function_call":null},"finish_reason":null}],"usage":null}'
    expect(decode(createOpenAIChatStreamDecoder, chatStart, data).events).toEqual([{ type: 'text-delta', index: 0, text: 'hi' }])
  })

  test('completions: choices an object, text a number', () => {
    const start = '{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"text":"","index":0,"finish_reason":null}]}'
    for (const [data, member] of [
      ['{"choices":{"text":"a"}}', '/choices'],
      ['{"choices":[{"text":7,"index":0}]}', '/choices/0/text'],
    ]) {
      const { events, done } = decode(createOpenAICompletionsStreamDecoder, start, data as string)
      expect(events).toEqual([{ type: 'error', status: 502, code: 'bad_upstream_response', message: expect.stringContaining('OpenAI completions') }])
      expect((events[0] as { message: string }).message).toContain(member as string)
      expect(done).toBe(true)
    }
  })

  test('responses: a text delta that is a number, an added item without a type', () => {
    const start = '{"type":"response.created","response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}}'
    for (const [data, member] of [
      ['{"type":"response.output_text.delta","output_index":0,"delta":5}', '/delta'],
      ['{"type":"response.output_item.added","output_index":0,"item":{"call_id":"c","name":"f"}}', '/item/type'],
    ]) {
      const { events, done } = decode(createOpenAIResponsesStreamDecoder, start, data as string)
      expect(events).toEqual([{ type: 'error', status: 502, code: 'bad_upstream_response', message: expect.stringContaining('OpenAI Responses') }])
      expect((events[0] as { message: string }).message).toContain(member as string)
      expect(done).toBe(true)
    }
  })
})
