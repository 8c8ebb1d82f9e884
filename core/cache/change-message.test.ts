import { describe, expect, test } from 'bun:test'
import { decodeChangeMessage, encodeChangeMessage } from './change-message.ts'

describe('change messages', () => {
  test('round-trip', () => {
    const text = encodeChangeMessage({ origin: 'replica-a', topic: 'tokens' })
    expect(text).toBe('{"origin":"replica-a","topic":"tokens"}')
    expect(decodeChangeMessage(text)).toEqual({ origin: 'replica-a', topic: 'tokens' })
  })

  test('ignores extra fields', () => {
    expect(decodeChangeMessage('{"origin":"a","topic":"users","version":2}')).toEqual({ origin: 'a', topic: 'users' })
  })

  test('rejects anything else', () => {
    for (const text of ['', 'tokens', 'null', '[]', '{"origin":"a"}', '{"origin":1,"topic":"users"}', '{"origin":"a","topic":""}']) {
      expect(decodeChangeMessage(text)).toBeNull()
    }
  })
})
