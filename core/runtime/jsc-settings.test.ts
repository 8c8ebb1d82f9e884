import { describe, expect, test } from 'bun:test'
import { environmentWithJscSettings } from './jsc-settings.ts'

// What the gateway starts itself again with: only the settings the environment lacks, the rest kept as is.

describe('JavaScriptCore settings', () => {
  const settings = { BUN_JSC_a: '1', BUN_JSC_b: '2' }

  test('adds what is missing and keeps the rest of the environment', () => {
    expect(environmentWithJscSettings({ PATH: '/bin', BUN_JSC_a: '9', EMPTY: undefined }, settings)).toEqual({ PATH: '/bin', BUN_JSC_a: '9', BUN_JSC_b: '2' })
  })

  test('asks for no restart once every setting is there, whatever its value', () => {
    expect(environmentWithJscSettings({ BUN_JSC_a: '9', BUN_JSC_b: '' }, settings)).toBeUndefined()
  })
})
