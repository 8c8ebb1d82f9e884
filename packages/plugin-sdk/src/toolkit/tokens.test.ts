import { describe, expect, test } from 'bun:test'
import { addStringOrParts, newPromptEstimate, tokenCount, tokensByCharacters } from './tokens.ts'

describe('tokenCount', () => {
  test('whole non-negative counts', () => {
    expect(tokenCount(12)).toBe(12)
    expect(tokenCount(7.9)).toBe(7)
  })
  test('missing, negative, non-finite and non-numeric counts are zero', () => {
    for (const value of [undefined, null, -4, Number.NaN, Number.POSITIVE_INFINITY, '12', {}]) expect(tokenCount(value)).toBe(0)
  })
})

describe('prompt estimates', () => {
  test('a new estimate starts from its fixed tokens', () => {
    expect(newPromptEstimate()).toEqual({ texts: [], fixedTokens: 0 })
    expect(newPromptEstimate(3)).toEqual({ texts: [], fixedTokens: 3 })
  })
  test('string content is counted as text; each part of a list goes to the part reader', () => {
    const estimate = newPromptEstimate()
    const addPart = (part: { type: string; text?: string }, into: typeof estimate) => {
      if (part.type === 'text' && part.text) into.texts.push(part.text)
      else into.fixedTokens += 100
    }
    addStringOrParts(estimate, 'hello', addPart)
    addStringOrParts(estimate, [{ type: 'text', text: 'a' }, { type: 'image' }], addPart)
    addStringOrParts(estimate, undefined, addPart)
    addStringOrParts(estimate, { type: 'text', text: 'not a list' }, addPart)
    expect(estimate).toEqual({ texts: ['hello', 'a'], fixedTokens: 100 })
  })
})

describe('tokensByCharacters', () => {
  test('rounds up, so any text costs at least one token', () => {
    const tokenizer = tokensByCharacters(3)
    if (!('count' in tokenizer)) throw new Error('expected a counting tokenizer')
    expect(tokenizer.count('')).toBe(0)
    expect(tokenizer.count('a')).toBe(1)
    expect(tokenizer.count('abcdef')).toBe(2)
    expect(tokenizer.count('abcdefg')).toBe(3)
  })
  test('refuses a ratio that is not positive', () => {
    expect(() => tokensByCharacters(0)).toThrow('charactersPerToken must be positive, got 0')
    expect(() => tokensByCharacters(Number.NaN)).toThrow('charactersPerToken must be positive')
  })
})
