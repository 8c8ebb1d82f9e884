import { expect, test } from 'bun:test'
import { createModelLookup } from './model-lookup.ts'

const prices = { 'gemini-2.5-flash': 1, 'gemini-2.5-flash*': 2, 'gemini-2.5-flash-lite*': 3, 'gemini-*': 4 }

test('the exact id wins over any prefix', () => {
  expect(createModelLookup(prices).find('gemini-2.5-flash')).toBe(1)
})

test('otherwise the longest matching prefix, whatever the order of the keys', () => {
  const lookup = createModelLookup(prices)
  expect(lookup.find('gemini-2.5-flash-lite-preview-06-17')).toBe(3)
  expect(lookup.find('gemini-2.5-flash-preview-05-20')).toBe(2)
  expect(lookup.find('gemini-2.0-flash')).toBe(4)
  expect(createModelLookup({ 'gemini-*': 4, 'gemini-2.5-flash-lite*': 3 }).find('gemini-2.5-flash-lite-001')).toBe(3)
})

test('undefined for a model no key covers', () => {
  expect(createModelLookup(prices).find('gpt-4o')).toBeUndefined()
  expect(createModelLookup({}).find('gemini-2.5-flash')).toBeUndefined()
})

test('tables added later never replace an exact id already present', () => {
  const lookup = createModelLookup({ 'model-a': 'first' })
  lookup.add('model-a', 'second')
  lookup.add('model-*', 'family')
  expect(lookup.find('model-a')).toBe('first')
  expect(lookup.find('model-b')).toBe('family')
})
