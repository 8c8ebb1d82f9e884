import { expect, test } from 'bun:test'
import { chooseModel } from './model-choice.ts'

test('the chosen model stays while the list still offers it, whatever was remembered', () => {
  expect(chooseModel(['dall-e-3', 'gpt-image-1'], 'gpt-image-1', 'dall-e-3')).toBe('gpt-image-1')
})

test('a model the list no longer offers gives way to the remembered one, else to the first', () => {
  expect(chooseModel(['gpt-4o', 'gpt-4o-mini'], 'retired-model', 'gpt-4o-mini')).toBe('gpt-4o-mini')
  expect(chooseModel(['gpt-4o', 'gpt-4o-mini'], null, 'retired-model')).toBe('gpt-4o')
  expect(chooseModel(['tts-1'], null)).toBe('tts-1')
})

test('an empty list selects nothing', () => {
  expect(chooseModel([], 'gpt-4o', 'gpt-4o')).toBeNull()
})
