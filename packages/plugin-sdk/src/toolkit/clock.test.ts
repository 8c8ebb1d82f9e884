import { expect, test } from 'bun:test'
import { nowSeconds } from './clock.ts'

test('nowSeconds reads the injected clock in whole seconds', () => {
  expect(nowSeconds({ now: () => 1_700_000_000_999 })).toBe(1_700_000_000)
  expect(nowSeconds({ now: () => 0 })).toBe(0)
})
