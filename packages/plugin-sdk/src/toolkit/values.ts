// Small value helpers for bodies that arrive as parsed JSON of unknown shape: a plugin's converters
// narrow what they read with these instead of trusting the vendor's or the client's JSON.

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses text that must hold one JSON object; undefined for anything else, so callers report it as malformed. */
export function parseJsonObject<T extends object = Record<string, unknown>>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return isRecord(value) ? (value as T) : undefined
  } catch {
    return undefined
  }
}

/** The member `name` of a value when both are JSON objects (a response's `usage`, a chunk's `delta`), else undefined. */
export function recordMember(value: unknown, name: string): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined
  const member = value[name]
  return isRecord(member) ? member : undefined
}

/** A finite number, or undefined. */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** A positive integer (a client's `max_tokens`), or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined
}

/** A copy of a record without its undefined fields, so encoded bodies hold only what was set. */
export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T
}
