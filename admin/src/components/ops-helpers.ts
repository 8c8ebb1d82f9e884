// Helpers the operations pages (channels, API keys, users, redemption codes) share: quota units and
// USD, saving a text file and key/value rows (a form's failures: form-failure.ts; copying: clipboard.ts).

export { UNITS_PER_USD, unitsToUsd, usdToUnits } from '../api/units.ts'

/** Offers `text` as a downloaded file (e.g. redemption codes as .txt). */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A record as editable rows, and back (rows with an empty key are dropped). */
export function recordToPairs(record: Record<string, string> | null | undefined): Array<{ key: string; value: string }> {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }))
}

/** Rows of a key/value editor as a record; blank keys are left out, keys trimmed. */
export function pairsToRecord(pairs: ReadonlyArray<{ key: string; value: string }>): Record<string, string> {
  const record: Record<string, string> = {}
  for (const pair of pairs) {
    const key = pair.key.trim()
    if (key !== '') record[key] = pair.value.trim()
  }
  return record
}
