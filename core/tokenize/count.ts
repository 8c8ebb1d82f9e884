import { fileURLToPath } from 'node:url'
import { GptEncoding } from 'gpt-tokenizer/GptEncoding'
import type { EncodingName } from './encodings.ts'

/** Special-token text in user content is counted as plain text, never refused. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() }

type CountTokens = (text: string, options: typeof PLAIN_TEXT) => number

// Each encoding's tables are hundreds of thousands of strings (tens of MB of heap): a thread loads
// one only when it first counts with it, so a gateway whose upstreams always report usage, and whose
// payers are rich, never carries them at all.
const loaded = new Map<EncodingName, CountTokens>()
const loading = new Map<EncodingName, Promise<CountTokens>>()

/** Whether this thread holds the encoding's tables already (counting with it costs no load). */
export function encodingLoaded(encoding: EncodingName): boolean {
  return loaded.has(encoding)
}

/** The encoding's counter, reading its tables on first use. */
export function loadEncoding(encoding: EncodingName): Promise<CountTokens> {
  const ready = loaded.get(encoding)
  if (ready) return Promise.resolve(ready)
  let pending = loading.get(encoding)
  if (!pending) {
    pending = readRanks(encoding).then((ranks) => {
      const api = GptEncoding.getEncodingApi(encoding, () => ranks)
      const count: CountTokens = (text, options) => api.countTokens(text, options)
      loaded.set(encoding, count)
      return count
    })
    loading.set(encoding, pending)
  }
  return pending
}

/**
 * The encoding's ranks from the `.tiktoken` file gpt-tokenizer ships beside its modules. Importing the
 * package's own table module instead evaluates a 2.4 MB array literal: a load then blocks its thread
 * 0.66-0.71 s instead of 0.44-0.45 s and keeps 8-25 MB more after collection, for the same ranks
 * (count.test.ts compares them).
 */
async function readRanks(encoding: EncodingName): Promise<Array<string | number[]>> {
  return parseTiktokenRanks(await Bun.file(fileURLToPath(import.meta.resolve(`gpt-tokenizer/data/${encoding}.tiktoken`))).text())
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The bytes as text, or undefined when they are not valid UTF-8. */
function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * The ranks of a tiktoken file (one `base64-bytes rank` per line) in gpt-tokenizer's form: a token's
 * bytes as a string when they are valid UTF-8 not starting with a byte-order mark (EF BB BF), as a byte
 * array otherwise, at the index of its rank.
 */
export function parseTiktokenRanks(text: string): Array<string | number[]> {
  const ranks: Array<string | number[]> = []
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const space = text.indexOf(' ', start)
    if (space > start && space < end) {
      const bytes = Buffer.from(text.slice(start, space), 'base64')
      const rank = Number(text.slice(space + 1, end))
      if (!Number.isSafeInteger(rank) || rank < 0) throw new Error(`Bad rank in a tiktoken file: ${text.slice(start, end)}`)
      const startsWithBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
      ranks[rank] = startsWithBom ? Array.from(bytes) : (utf8Text(bytes) ?? Array.from(bytes))
    }
    start = end + 1
  }
  return ranks
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
