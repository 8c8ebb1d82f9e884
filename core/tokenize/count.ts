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
  for (const text of texts) if (text !== '') total += count(text, PLAIN_TEXT)
  return total
}
