// CSV as RFC 4180 writes it (CRLF rows; fields with a comma, quote, CR or LF quoted, quotes doubled),
// with the guard spreadsheet programs need: text starting with = + - @, a tab or CR would be run as a
// formula, so it gets a leading apostrophe. Numbers and booleans are ours, never formulas, so they stay
// as they are (a negative number must remain a number).
// see https://www.rfc-editor.org/rfc/rfc4180 and https://owasp.org/www-community/attacks/CSV_Injection

/** A value one CSV cell can hold; null is an empty cell. */
export type CsvValue = string | number | boolean | null | undefined

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

/** One cell: text guarded against formula injection, then quoted when it must be. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'string') return String(value)
  const guarded = FORMULA_START.test(value) ? `'${value}` : value
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded
}

/** One row, CRLF-terminated. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`
}
