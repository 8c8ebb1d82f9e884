// Reading One API / New API column values the same way whatever the engine: SQLite gives numbers,
// MySQL may give bigints, buffers or parsed JSON, PostgreSQL gives bigint columns as strings.

/** A column value as a finite number; `fallback` for null, empty or unreadable values. */
export function toNumber(value: unknown, fallback = 0): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : fallback
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : fallback
  }
  return fallback
}

/** A column value as text; '' for null. JSON columns a driver already parsed are turned back into JSON text. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return new TextDecoder().decode(value)
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** A GORM bool column (0/1, 't'/'f', true/false) as a boolean. */
export function toBoolean(value: unknown): boolean {
  if (typeof value === 'string') return ['1', 't', 'true'].includes(value.trim().toLowerCase())
  return toNumber(value) !== 0
}

/** A comma- (or otherwise) separated list, trimmed, blanks and duplicates dropped. */
export function splitList(value: unknown, separator: RegExp = /,/): string[] {
  return [
    ...new Set(
      toText(value)
        .split(separator)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ]
}

/** A JSON object column as a record; undefined when it is empty, and `null` when it is not a JSON object. */
export function parseJsonObject(value: unknown): Record<string, unknown> | undefined | null {
  const text = toText(value).trim()
  if (text === '' || text === 'null' || text === '{}') return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** A Unix time in seconds as a Date; undefined for 0, negative (New API's -1 = never) or missing values. */
export function fromUnixSeconds(value: unknown): Date | undefined {
  const seconds = toNumber(value)
  return seconds > 0 ? new Date(seconds * 1000) : undefined
}

/** True when a GORM soft-delete column (`deleted_at`) is set. */
export function isSoftDeleted(row: Record<string, unknown>): boolean {
  const value = row.deleted_at
  return value !== null && value !== undefined && value !== ''
}
