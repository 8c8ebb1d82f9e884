import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
import { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import { OpenAISpeechRequest } from '../../schemas/openai-audio.ts'
import { RerankRequest } from '../../schemas/rerank.ts'
import { DEFERRED_STRING_MIN_BYTES, deferrableSchema, deferredPrompt, parseDeferred, validEscapes } from './deferred-strings.ts'

const encoder = new TextEncoder()
const long = (tail = '') => `${'word '.repeat(Math.ceil(DEFERRED_STRING_MIN_BYTES / 5))}${tail}`

/** Parses the text both ways: deferred and revealed, and as the whole body was parsed before (decoded, then JSON.parse). */
function bothWays(text: string) {
  const bytes = encoder.encode(text)
  const parsed = parseDeferred(bytes)
  parsed.deferred?.reveal()
  return { parsed, expected: JSON.parse(new TextDecoder().decode(bytes)) as unknown }
}

describe('parseDeferred', () => {
  test('gives the values JSON.parse gives, in the same member order, once revealed', () => {
    const bodies = [
      // escapes of every kind, non-ASCII, a surrogate pair escaped and raw, an escaped backslash before the closing quote
      `{"model":"m","messages":[{"role":"user","content":${JSON.stringify(long('\n\t"quoted" \\ é — 😀 \u2028'))}}],"after":1}`,
      `{"a":"${long()}\\u00e9\\ud83d\\ude00\\/\\b\\f\\r\\\\"}`,
      // long strings as array items, nested, as a member name (never deferred), and a duplicate member (the last wins)
      JSON.stringify({ list: [long('1'), { inner: long('2') }], [long('key')]: long('3'), z: 0 }),
      `{"dup":"${long('first')}","dup":"${long('second')}"}`,
      // a byte order mark before the body, blanks around the parts
      `\uFEFF { "a" : "${long()}" , "b" : [ "${long('x')}" ] } `,
    ]
    for (const text of bodies) {
      const { parsed, expected } = bothWays(text)
      expect(parsed.deferred).toBeDefined()
      // Read the way code reads a body (property by property, which runs the accessors), not by equality's own walk.
      expect(structuredClone(parsed.body)).toEqual(expected)
      expect(JSON.stringify(parsed.body)).toBe(JSON.stringify(expected))
    }
  })

  test('refuses what JSON.parse refuses inside a long string, and what surrounds one', () => {
    const invalid = [
      `{"a":"${long()}\t"}`, // a raw control character
      `{"a":"${long()}\\x"}`, // an escape JSON does not have
      `{"a":"${long()}\\u12"}`, // a short \u escape
      `{"a":"${long()}\\\\\\q"}`, // an escaped backslash, then a bad escape
      `{"a" "${long()}"}`, // a missing colon
      `{"a":"${long()}",}`, // a trailing comma
      `{"a":"${long()}"}\uFEFF`, // a byte order mark after the body
      `{"a":"${long()}`, // cut short
    ]
    for (const text of invalid) {
      expect(() => JSON.parse(new TextDecoder().decode(encoder.encode(text)))).toThrow()
      expect(() => parseDeferred(encoder.encode(text))).toThrow(SyntaxError)
    }
  })

  test('leaves invalid UTF-8 and escape-heavy strings to the full parse, with its values', () => {
    const bytes = encoder.encode(`{"a":"${long()}X"}`)
    bytes[bytes.length - 3] = 0xff
    const parsed = parseDeferred(bytes)
    expect(parsed.deferred).toBeUndefined()
    expect(parsed.body).toEqual(JSON.parse(new TextDecoder().decode(bytes)))
    const escapedText = `{"a":"${'\\u4e2d'.repeat(DEFERRED_STRING_MIN_BYTES / 6 + 1)}"}`
    expect(parseDeferred(encoder.encode(escapedText))).toEqual({ body: JSON.parse(escapedText) })
  })

  test('before reveal, long strings are placeholders; after, they are read from the bytes only when read', () => {
    const content = long('end')
    const { body, deferred } = parseDeferred(encoder.encode(JSON.stringify({ messages: [{ role: 'user', content }] })))
    const message = (body as { messages: Array<Record<string, unknown>> }).messages[0]!
    expect(typeof message.content).toBe('string')
    expect(message.content).not.toBe(content)
    deferred!.reveal()
    expect(Object.getOwnPropertyDescriptor(message, 'content')?.get).toBeDefined()
    expect(message.content).toBe(content)
    expect(Object.getOwnPropertyDescriptor(message, 'content')?.value).toBe(content)
    message.content = 'replaced'
    expect(message.content).toBe('replaced')
  })
})

describe('deferredPrompt', () => {
  test("bounds the texts' UTF-8 bytes without reading them, and reads them when counted", () => {
    const content = long('é — 😀\n')
    const { body, deferred } = parseDeferred(encoder.encode(JSON.stringify({ messages: [{ content }], name: 'short' })))
    const record = body as { messages: Array<{ content: string }>; name: string }
    const lazy = deferredPrompt({ texts: [record.messages[0]!.content, record.name], fixedTokens: 7 }, deferred!)!
    expect(lazy.byteBound).toBeGreaterThanOrEqual(Buffer.byteLength(content) + 5)
    expect(lazy.byteBound).toBeLessThan(Buffer.byteLength(content) + 5 + 16)
    expect(lazy.prompt.fixedTokens).toBe(7)
    expect(lazy.prompt.texts).toEqual([content, 'short'])
  })

  test('gives up on a text with a placeholder inside (a stringified tool list)', () => {
    const { body, deferred } = parseDeferred(encoder.encode(JSON.stringify({ tools: [{ description: long() }] })))
    expect(deferredPrompt({ texts: [JSON.stringify((body as { tools: unknown }).tools)], fixedTokens: 0 }, deferred!)).toBeUndefined()
  })
})

test('validEscapes pairs escaped backslashes with what follows them', () => {
  expect(validEscapes('a\\\\x')).toBe(true)
  expect(validEscapes('a\\\\\\x')).toBe(false)
  expect(validEscapes('\\u00e9\\n\\"')).toBe(true)
  expect(validEscapes('\\u00g9')).toBe(false)
})

test('deferrableSchema: only schemas that check no string beyond being non-empty', () => {
  expect(deferrableSchema(OpenAIChatRequest)).toBe(true)
  expect(deferrableSchema(ClaudeMessagesRequest)).toBe(true)
  // speech input has a maxLength, a rerank query a pattern: a placeholder would pass where the text may not
  expect(deferrableSchema(OpenAISpeechRequest)).toBe(false)
  expect(deferrableSchema(RerankRequest)).toBe(false)
  expect(deferrableSchema(Type.Object({ a: Type.String({ minLength: 2 }) }))).toBe(false)
})
