import { countTexts } from './count.ts'
import type { EncodingName } from './encodings.ts'

/** The piscina task: total tokens of `texts` in `encoding`. */
export default function countInWorker(task: { encoding: EncodingName; texts: string[] }): Promise<number> {
  return countTexts(task.encoding, task.texts)
}
