import { describe, expect, test } from 'bun:test'
import { moneyWithUnits, unitsAsUsd } from './money-text.ts'

describe('money in messages', () => {
  test('a cent or more is shown to the cent, a balance rounded down and a need rounded up', () => {
    expect(unitsAsUsd(499_999_998_912)).toBe('$999,999.99')
    expect(unitsAsUsd(499_999_998_912, 'up')).toBe('$1,000,000.00')
    expect(unitsAsUsd(5_000)).toBe('$0.01')
    expect(unitsAsUsd(145_000)).toBe('$0.29')
    expect(unitsAsUsd(5_001, 'up')).toBe('$0.02')
  })

  test('under a cent keeps two significant digits, down to one unit', () => {
    expect(unitsAsUsd(800)).toBe('$0.0016')
    expect(unitsAsUsd(375)).toBe('$0.00075')
    expect(unitsAsUsd(1)).toBe('$0.000002')
    expect(unitsAsUsd(0)).toBe('$0.00')
  })

  test('units follow in brackets, exactly', () => {
    expect(moneyWithUnits(800)).toBe('$0.0016 (800 units)')
    expect(moneyWithUnits(1)).toBe('$0.000002 (1 unit)')
    expect(moneyWithUnits(12_500_000)).toBe('$25.00 (12,500,000 units)')
  })
})
