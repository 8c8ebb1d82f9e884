// Small value helpers the Gemini converters share; bodies arrive as parsed JSON of unknown shape.

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

/** A finite number, or undefined. */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** A positive integer, or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined
}

/** A non-negative whole token count; anything else counts as zero. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

/** A copy of a record without its undefined fields, so encoded bodies hold only what was set. */
export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T
}

/** Whole seconds of the injected clock, the hub's `created` for answers that carry no timestamp. */
export function nowSeconds(env: { now(): number }): number {
  return Math.floor(env.now() / 1000)
}
