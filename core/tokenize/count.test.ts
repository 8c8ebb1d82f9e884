import { describe, expect, test } from 'bun:test'
import { countTexts, countWithBoundedRuns, loadEncoding } from './count.ts'

// Counting must stay linear in the text: a hostile prompt (or upstream answer) of one long "word" would
// otherwise hold a counting thread for minutes (BPE merges within one pre-token are quadratic).

describe('token counting of long runs', () => {
  test('50,000 letters without a space are counted in well under a second', async () => {
    await loadEncoding('o200k_base')
    const started = performance.now()
    const tokens = await countTexts('o200k_base', ['a'.repeat(50_000)])
    expect(performance.now() - started).toBeLessThan(1000)
    // "aaaaaaaa" is one o200k token: 8 letters each, the same as the exact count.
    expect(tokens).toBe(6250)
  }, 5000)

  test('a long run of punctuation is bounded too', async () => {
    await loadEncoding('cl100k_base')
    const started = performance.now()
    expect(await countTexts('cl100k_base', ['='.repeat(50_000)])).toBeGreaterThan(0)
    expect(performance.now() - started).toBeLessThan(1000)
  }, 10_000)

  test('ordinary text is counted exactly as the encoding counts it', async () => {
    const text = 'The quick brown fox jumps over the lazy dog; 東京は日本の首都です。 '.repeat(40)
    const exact = await loadEncoding('o200k_base')
    const plain = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() }
    expect(countWithBoundedRuns((piece) => exact(piece, plain), text)).toBe(exact(text, plain))
  })

  test('a run between ordinary words is counted in pieces, the words around it exactly', () => {
    const pieces: string[] = []
    const total = countWithBoundedRuns(
      (piece) => {
        pieces.push(piece)
        return 1
      },
      `hello ${'b'.repeat(100)}${'x'.repeat(64)} world`,
    )
    expect(pieces).toEqual([
      'hello ',
      ...Array.from({ length: 6 }, (_, index) => `${'b'.repeat(100)}${'x'.repeat(64)}`.slice(index * 32, index * 32 + 32)),
      ' world',
    ])
    expect(total).toBe(8)
  })
})
