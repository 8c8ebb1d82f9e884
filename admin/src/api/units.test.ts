import { describe, expect, test } from 'bun:test'
import { formatUsd, moneyDigits, unitsToUsd, usdFormatName } from './units.ts'

// How precisely money is shown where: balances to the cent, charges and prices with enough
// significant digits (issue 18: a balance read "$999,999.997824").

describe('money shown to people', () => {
  test('a balance is shown to the cent, rounded down', () => {
    expect(formatUsd(unitsToUsd(499_999_998_912), 'balance')).toBe('$999,999.99')
    expect(formatUsd(unitsToUsd(500_000_000_000), 'balance')).toBe('$1,000,000.00')
    expect(formatUsd(0.29, 'balance')).toBe('$0.29')
    expect(formatUsd(12.349, 'balance')).toBe('$12.34')
    expect(formatUsd(0, 'balance')).toBe('$0.00')
  })

  test('a balance under a cent keeps two significant digits, down to one unit', () => {
    expect(formatUsd(unitsToUsd(2_400), 'balance')).toBe('$0.0048')
    expect(formatUsd(unitsToUsd(1), 'balance')).toBe('$0.000002')
    expect(formatUsd(unitsToUsd(3_999), 'balance')).toBe('$0.0079')
  })

  test('a charge has four significant digits, never beyond one unit', () => {
    expect(formatUsd(unitsToUsd(4), 'cost')).toBe('$0.000008')
    expect(formatUsd(unitsToUsd(5_600), 'cost')).toBe('$0.0112')
    expect(formatUsd(unitsToUsd(617_284), 'cost')).toBe('$1.235')
    expect(formatUsd(1234.5678, 'cost')).toBe('$1,234.57')
  })

  test('a price or worked-out cost keeps four significant digits below a unit too', () => {
    expect(formatUsd(2.5, 'price')).toBe('$2.50')
    expect(formatUsd(0.075, 'price')).toBe('$0.075')
    expect(formatUsd(0.0000071, 'price')).toBe('$0.0000071')
    expect(formatUsd(15, 'price')).toBe('$15.00')
  })

  test('other languages get their own separators at the same precision', () => {
    expect(formatUsd(1234.5, 'balance', 'fr').replace(/\s/g, ' ')).toBe('1 234,50 $')
    expect(formatUsd(0.0048, 'balance', 'ja')).toBe('$0.0048')
  })

  test('each amount names a format the i18n setup defines', () => {
    expect(usdFormatName(0.0000071, 'price')).toBe('usd9')
    expect(moneyDigits(999_999.997824, 'balance')).toBe(2)
    expect(moneyDigits(Number.NaN, 'cost')).toBe(2)
  })
})
