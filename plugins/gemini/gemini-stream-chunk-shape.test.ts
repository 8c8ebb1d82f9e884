import { describe, expect, test } from 'bun:test'
import { decodeGeminiResult } from './convert-gemini-result.ts'
import { createGeminiStreamDecoder } from './gemini-stream-decode.ts'
import { testEnv } from './gemini-test-support.ts'

const first =
  '{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash"}'

describe('Gemini stream chunks of the wrong shape are a clean malformed-chunk error naming the member', () => {
  test('candidates an object, a part text that is a number, usage counts that are text; the usage held so far is still given', () => {
    const cases: Array<[string, string]> = [
      ['{"candidates":{"content":{"parts":[{"text":"lo"}]}}}', '/candidates'],
      ['{"candidates":[{"content":{"role":"model","parts":[{"text":5}]},"index":0}]}', '/candidates/0/content/parts/0/text'],
      ['{"candidates":[],"usageMetadata":{"promptTokenCount":"4"}}', '/usageMetadata/promptTokenCount'],
    ]
    for (const [data, member] of cases) {
      const decoder = createGeminiStreamDecoder(testEnv())
      decoder.push({ data: first })
      const events = decoder.push({ data })
      expect(events.map((event) => event.type)).toEqual(['usage', 'error'])
      expect(events[1]).toEqual({ type: 'error', status: 502, code: 'bad_upstream_response', message: expect.stringContaining('Gemini') })
      expect((events[1] as { message: string }).message).toContain(member)
      expect(decoder.done).toBe(true)
    }
  })

  test('a complete answer of the wrong shape is a 502 naming the member, not a part passed on', () => {
    const answer = { candidates: [{ content: { role: 'model', parts: [{ text: 5 }] }, finishReason: 'STOP', index: 0 }] }
    expect(() => decodeGeminiResult(answer, testEnv())).toThrow('Upstream sent a malformed Gemini answer: /candidates/0/content/parts/0/text: Expected string')
  })
})
