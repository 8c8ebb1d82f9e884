import { describe, expect, test } from 'bun:test'
import { ApiFailure, describeError, withFieldLabel } from './errors.ts'

// Issue 18: the setup page showed "bootstrapPassword: Expected string length less or equal to 128".

const translator = {
  t: (key: string, named?: Record<string, unknown>) => (key === 'errors.code.invalid_request' ? `Not accepted (${String(named?.field ?? '')})` : key),
  te: (key: string) => key === 'errors.code.invalid_request',
}

describe('errors in words', () => {
  test('a field the form labels is named by its label, never by its request path', () => {
    const failure = new ApiFailure(400, 'invalid_request', 'bootstrapPassword: Expected string length less or equal to 128', 'bootstrapPassword')
    const readable = describeError(failure, translator, {}, { bootstrapPassword: 'One-time password' })
    expect(readable.detail).toBe('One-time password: Expected string length less or equal to 128')
    expect(readable.message).toBe('Not accepted (One-time password)')
  })

  test('without a label the gateway words stay as they are', () => {
    expect(withFieldLabel('quota: must be ≥ 0', 'quota', {})).toBe('quota: must be ≥ 0')
    expect(withFieldLabel('something else', 'quota', { quota: 'Balance' })).toBe('something else')
  })
})
