import type { EncodingName } from './encodings.ts'

/** Special-token text in user content is counted as plain text, never refused. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() }

type CountTokens = (text: string, options: typeof PLAIN_TEXT) => number

// Each encoding's tables are hundreds of thousands of strings (tens of MB of heap): a thread loads
// one only when it first counts with it, so a gateway whose upstreams always report usage, and whose
// payers are rich, never carries them at all.
const loaded = new Map<EncodingName, CountTokens>()
const loading = new Map<EncodingName, Promise<CountTokens>>()

/** The encoding's counter, importing its tables on first use. */
export function loadEncoding(encoding: EncodingName): Promise<CountTokens> {
  const ready = loaded.get(encoding)
  if (ready) return Promise.resolve(ready)
  let pending = loading.get(encoding)
  if (!pending) {
    pending = (encoding === 'cl100k_base' ? import('gpt-tokenizer/encoding/cl100k_base') : import('gpt-tokenizer/encoding/o200k_base')).then((module) => {
      loaded.set(encoding, module.countTokens)
      return module.countTokens
    })
    loading.set(encoding, pending)
  }
  return pending
}

/** Counts tokens of several texts with one encoding; runs on whichever thread calls it, loading the encoding if needed. */
export async function countTexts(encoding: EncodingName, texts: string[]): Promise<number> {
  const count = loaded.get(encoding) ?? (await loadEncoding(encoding))
  let total = 0
  for (const text of texts) if (text !== '') total += countWithBoundedRuns((piece) => count(piece, PLAIN_TEXT), text)
  return total
}

/**
 * A run of letters (or of punctuation) the encodings' pre-tokenizer keeps whole, long enough to matter: BPE
 * merges within one such piece cost time quadratic in its length (10,000 × "a" takes a second, 50 MB
 * would take days), so a hostile prompt or upstream answer could hold a counting thread indefinitely.
 */
const LONG_RUN = /[\p{L}\p{M}]{128,}|[^\s\p{L}\p{M}\p{N}]{128,}/gu
/** Piece length long runs are counted in: the quadratic cost stays that of 32 characters, the count within a token or so per piece. */
const RUN_PIECE = 32

/** Counts `text` exactly, except that long runs (LONG_RUN) are counted in RUN_PIECE pieces, so counting time stays linear. */
export function countWithBoundedRuns(count: (text: string) => number, text: string): number {
  if (text.length < 128) return count(text)
  let total = 0
  let last = 0
  for (const run of text.matchAll(LONG_RUN)) {
    if (run.index > last) total += count(text.slice(last, run.index))
    for (let start = 0; start < run[0].length; start += RUN_PIECE) total += count(run[0].slice(start, start + RUN_PIECE))
    last = run.index + run[0].length
  }
  return last === 0 ? count(text) : last < text.length ? total + count(text.slice(last)) : total
}
