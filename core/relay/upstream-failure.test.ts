import { describe, expect, test } from 'bun:test'
import { DEFAULT_RETRYABLE_STATUSES, mapUpstreamFailure, parseStatusRanges } from './upstream-failure.ts'

describe('upstream failures', () => {
  const retryable = parseStatusRanges(DEFAULT_RETRYABLE_STATUSES)

  test.each([
    [400, false],
    [401, true],
    [403, true],
    [404, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, false],
    [524, false],
    [529, true],
  ])('by default HTTP %d retryable: %p', (status, expected) => {
    expect(retryable(status)).toBe(expected)
  })

  test('ranges parse and malformed lists are refused', () => {
    const custom = parseStatusRanges('400, 500-502')
    expect([400, 401, 500, 502, 503].map(custom)).toEqual([true, false, true, true, false])
    expect(() => parseStatusRanges('5xx')).toThrow()
    expect(() => parseStatusRanges('503-500')).toThrow()
  })

  test('what the client sees', () => {
    const message = { message: 'boom' }
    expect(mapUpstreamFailure(400, message, '{}', 'c')).toMatchObject({ status: 400, code: 'upstream_error' })
    expect(mapUpstreamFailure(401, message, '{}', 'c')).toMatchObject({ status: 502, code: 'upstream_error' })
    expect(mapUpstreamFailure(429, message, '{}', 'c')).toMatchObject({ status: 429, code: 'rate_limited' })
    expect(mapUpstreamFailure(524, message, '{}', 'c')).toMatchObject({ status: 504, code: 'upstream_timeout' })
    expect(mapUpstreamFailure(503, message, '{}', 'c').options.retryable).toBe(true)
  })
})
