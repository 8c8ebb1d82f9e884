import { describe, expect, test } from 'bun:test'
import { balanceFormatOptions, formatRelativeTime, readerForHost, relativeTime } from './balance-format.ts'

describe('balance column formats', () => {
  const now = new Date('2026-12-06T12:00:00Z')
  const ago = (ms: number) => new Date(now.getTime() - ms)

  test('relative time uses the largest whole unit', () => {
    expect(relativeTime(ago(20_000), now)).toEqual({ value: 0, unit: 'second' })
    expect(relativeTime(ago(5 * 60_000 + 59_000), now)).toEqual({ value: -5, unit: 'minute' })
    expect(relativeTime(ago(3 * 3_600_000), now)).toEqual({ value: -3, unit: 'hour' })
    expect(relativeTime(ago(50 * 3_600_000), now)).toEqual({ value: -2, unit: 'day' })
    expect(relativeTime(new Date(now.getTime() + 5000), now)).toEqual({ value: 0, unit: 'second' })
  })

  test('worded in the page language', () => {
    expect(formatRelativeTime(ago(5 * 60_000), now, 'en')).toBe('5 minutes ago')
    expect(formatRelativeTime(ago(10_000), now, 'en')).toBe('now')
    expect(formatRelativeTime(ago(26 * 3_600_000), now, 'fr')).toBe('hier')
  })

  test('amounts in the vendor currency, to the cent; under one unit a few more decimals', () => {
    expect(new Intl.NumberFormat('en', balanceFormatOptions(74.75, 'USD')).format(74.75)).toBe('$74.75')
    expect(new Intl.NumberFormat('en', balanceFormatOptions(110, 'CNY')).format(110)).toBe('¥110.00')
    expect(new Intl.NumberFormat('en', balanceFormatOptions(0.0042, 'USD')).format(0.0042)).toBe('$0.0042')
  })
})

test('the reader a base URL picks, as the gateway picks it', () => {
  const readers = [
    { id: 'openrouter', label: 'OpenRouter credits', hosts: ['openrouter.ai'] },
    { id: 'billing', label: 'Billing', hosts: [] },
  ]
  expect(readerForHost(readers, 'https://openrouter.ai/api/v1')?.id).toBe('openrouter')
  expect(readerForHost(readers, 'https://evilopenrouter.ai/api/v1')).toBeUndefined()
  expect(readerForHost(readers, '')).toBeUndefined()
})
