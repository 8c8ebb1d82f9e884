import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base'
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base'
import type { EncodingName } from './encodings.ts'

/** Special-token text in user content is counted as plain text, never refused. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() }

/** Counts tokens of several texts with one encoding; runs on whichever thread calls it. */
export function countTexts(encoding: EncodingName, texts: string[]): number {
  const count = encoding === 'cl100k_base' ? countCl100k : countO200k
  let total = 0
  for (const text of texts) if (text !== '') total += count(text, PLAIN_TEXT)
  return total
}
