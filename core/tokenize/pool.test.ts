import { afterAll, describe, expect, test } from 'bun:test'
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base'
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base'
import { createTokenCounter } from './pool.ts'
import { encodingForModel } from './encodings.ts'

describe('encodingForModel', () => {
  test.each([
    ['gpt-4o-mini', 'o200k_base'],
    ['gpt-4.1', 'o200k_base'],
    ['gpt-5-nano', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['claude-sonnet-4-5', 'o200k_base'],
    ['deepseek-chat', 'o200k_base'],
  ])('%s → %s', (model, encoding) => {
    expect(encodingForModel(model)).toBe(encoding as ReturnType<typeof encodingForModel>)
  })
})

describe('token counter', () => {
  const counter = createTokenCounter({ maxThreads: 1 })
  afterAll(() => counter.close())

  test('matches the tokenizer library for both encodings', async () => {
    const text = 'Hello world! 你好，世界。 🙂 The quick brown fox.'
    expect(await counter.count('gpt-4o', [text])).toBe(o200k(text))
    expect(await counter.count('gpt-3.5-turbo', [text])).toBe(cl100k(text))
    expect(await counter.count('gpt-4o', ['hello world'])).toBe(2)
  })

  test('sums several texts and treats special-token text as plain text', async () => {
    expect(await counter.count('gpt-4o', ['a b', 'c d'])).toBe(o200k('a b') + o200k('c d'))
    expect(await counter.count('gpt-4o', ['<|endoftext|>'])).toBeGreaterThan(1)
  })

  test('empty input costs nothing', async () => {
    expect(await counter.count('gpt-4o', [])).toBe(0)
    expect(await counter.count('gpt-4o', [''])).toBe(0)
  })

  test('a large prompt is counted in a worker without stalling the event loop', async () => {
    const big = 'The gateway counts tokens off the main thread. '.repeat(12_000)
    let ticks = 0
    const interval = setInterval(() => ticks++, 1)
    const counted = counter.count('gpt-4o', [big])
    const ticksWhenStarted = ticks
    const result = await counted
    clearInterval(interval)
    expect(result).toBe(o200k(big))
    expect(ticks).toBeGreaterThan(ticksWhenStarted)
  })
})
