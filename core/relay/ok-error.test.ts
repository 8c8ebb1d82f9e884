import { describe, expect, test } from 'bun:test'
import { errorStatusOfOkAnswer } from './ok-error.ts'

describe('an error answered with HTTP 200', () => {
  test.each([
    ['an OpenAI server error', { error: { message: 'The server is overloaded', type: 'server_error', param: null, code: null } }, 502],
    ['an OpenAI invalid request', { error: { message: 'max_tokens is too large', type: 'invalid_request_error', param: 'max_tokens', code: null } }, 400],
    ['an OpenAI quota error by its code', { error: { message: 'You exceeded your current quota', type: 'requests', code: 'insufficient_quota' } }, 429],
    ['a Gemini error with its HTTP code', { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }, 429],
    ['an Anthropic overload', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 529],
    ['a vendor error with its status as text', { error: { code: '503', message: 'busy' } }, 503],
    ['an error that is a sentence', { error: 'quota exceeded' }, 502],
    [
      'a failed Responses object (no output)',
      { id: 'resp_1', object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: 'failed' } },
      502,
    ],
  ])('%s is that error, with status %p', (_name, body, status) => {
    expect(errorStatusOfOkAnswer(JSON.stringify(body))).toBe(status)
  })

  test.each([
    ['an answer whose error member is null', { id: 'r', object: 'response', status: 'completed', output: [{ type: 'message' }], error: null }],
    ['an answer that talks about errors', { choices: [{ index: 0, message: { role: 'assistant', content: 'An "error" is a mistake.' } }] }],
    ['an answer with output beside an error member', { choices: [{ index: 0, message: { content: 'hi' } }], error: { message: 'partial' } }],
    ['an empty error object', { choices: [], error: {} }],
  ])('%s is an answer', (_name, body) => {
    expect(errorStatusOfOkAnswer(JSON.stringify(body))).toBeUndefined()
  })

  test('an answer that says `"error": null`, however spaced, or an "error" key inside a string, is an answer', () => {
    expect(errorStatusOfOkAnswer('{"id":"r","object":"response","error" :\n  null,"output":[]}')).toBeUndefined()
    expect(errorStatusOfOkAnswer('{"id":"r","error":null,"text":"a \\"error\\": {\\"x\\":1} in a string"}')).toBeUndefined()
  })

  test('text that is not a JSON object, or is too large to be an error body, is not inspected', () => {
    expect(errorStatusOfOkAnswer('{"error": {"message": "cut')).toBeUndefined()
    expect(errorStatusOfOkAnswer('["error"]')).toBeUndefined()
    expect(errorStatusOfOkAnswer(JSON.stringify({ error: { message: 'x'.repeat(70_000) } }))).toBeUndefined()
  })
})
