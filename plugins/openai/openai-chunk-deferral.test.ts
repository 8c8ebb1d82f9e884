import { describe, expect, test } from 'bun:test'
import { canDeferOpenAIChunk } from './openai-chat-stream-decode.ts'

// A passthrough stream's chunks that carry neither usage nor an error are kept undecoded (decoded later only
// when the stream reported no usage). Deferring a chunk that holds the usage or an error would bill the call
// from a recount instead of the upstream's own figures, or miss the error: these cases must never defer.

const chunk = (rest: string) => ({ data: `{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[]${rest}}` })

describe('which OpenAI chunks a passthrough watcher may leave undecoded', () => {
  test('text chunks, with or without "usage":null, are deferred', () => {
    expect(canDeferOpenAIChunk(chunk(''))).toBe(true)
    expect(canDeferOpenAIChunk(chunk(',"usage":null'))).toBe(true)
    expect(canDeferOpenAIChunk(chunk(', "usage": null'))).toBe(true)
  })

  test('the usage chunk is never deferred, however the upstream spaces it', () => {
    expect(canDeferOpenAIChunk(chunk(',"usage":{"prompt_tokens":3}'))).toBe(false)
    expect(canDeferOpenAIChunk(chunk(', "usage": {"prompt_tokens":3}'))).toBe(false)
    expect(canDeferOpenAIChunk(chunk(',"usage":  {"prompt_tokens":3}'))).toBe(false)
  })

  test('errors, [DONE] and data that is not an object are never deferred', () => {
    expect(canDeferOpenAIChunk({ data: '{"error":{"message":"overloaded","type":"server_error"}}' })).toBe(false)
    expect(canDeferOpenAIChunk({ data: '[DONE]' })).toBe(false)
    expect(canDeferOpenAIChunk({ data: 'not json' })).toBe(false)
  })
})
