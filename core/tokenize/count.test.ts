import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { countTokens as libraryCl100k } from 'gpt-tokenizer/encoding/cl100k_base'
import { countTokens as libraryO200k } from 'gpt-tokenizer/encoding/o200k_base'
import { countTexts, countWithBoundedRuns, loadEncoding, parseTiktokenRanks } from './count.ts'

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

// The tables are read from gpt-tokenizer's .tiktoken files rather than its table modules (faster, leaner):
// the counts must be exactly the library's own.
describe('encoding tables read from the .tiktoken files', () => {
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    test(`${encoding}: every rank is the library's own token`, async () => {
      const library = ((await import(`gpt-tokenizer/bpeRanks/${encoding}`)) as { default: Array<string | number[]> }).default
      const file = await Bun.file(fileURLToPath(import.meta.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`))).text()
      const ranks = parseTiktokenRanks(file)
      expect(ranks.length).toBe(library.length)
      const differing: number[] = []
      for (let rank = 0; rank < library.length; rank++) if (JSON.stringify(ranks[rank]) !== JSON.stringify(library[rank])) differing.push(rank)
      expect(differing).toEqual([])
    }, 20_000)
  }

  test('counts agree with the library on mixed text, byte-order marks, emoji and special-token text', async () => {
    const texts = [
      'The quick brown fox jumps over the lazy dog.',
      '\uFEFFusing System;\n\n\uFEFFnamespace App { }',
      '東京は日本の首都です。Привет, мир! مرحبا بالعالم 👋🏽👨‍👩‍👧',
      'def f(x):\n\treturn x ** 2  # <|endoftext|> stays plain text',
      '   \r\n\r\n  trailing spaces   ',
    ]
    const plain = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() }
    const o200k = await loadEncoding('o200k_base')
    const cl100k = await loadEncoding('cl100k_base')
    for (const text of texts) {
      expect(o200k(text, plain)).toBe(libraryO200k(text, plain))
      expect(cl100k(text, plain)).toBe(libraryCl100k(text, plain))
    }
  })

  test('a malformed rank is an error, not a silently shifted table', () => {
    expect(() => parseTiktokenRanks('IQ== 0\nIg== x\n')).toThrow('Bad rank')
    expect(parseTiktokenRanks('IQ== 0\n77u/ 1\n/w== 2\n')).toEqual(['!', [0xef, 0xbb, 0xbf], [255]])
  })
})
