// Compares an expectation with what was produced: every member the expectation states must be there
// with the same value; arrays must have the same length. The first difference is reported by its
// path (`toolCalls[0].arguments.unit`) so a failure names the field.

/** Where and how a value differs from its expectation. */
export interface Mismatch {
  /** Dotted path of the field, e.g. `toolCalls[0].name`. */
  path: string
  /** The difference in words. */
  message: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value as a short JSON excerpt for messages. */
export function shown(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`)

/** The first place `actual` departs from `expected`, or undefined when it meets it. */
export function findMismatch(expected: unknown, actual: unknown, path = ''): Mismatch | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return { path, message: `${path} is ${shown(actual)}, expected an array of ${expected.length}` }
    if (actual.length !== expected.length) {
      return {
        path,
        message: `${path} has ${actual.length} ${actual.length === 1 ? 'entry' : 'entries'}, expected ${expected.length}${expected.length > 0 ? ` (first expected: ${shown(expected[0])})` : ''}`,
      }
    }
    for (const [index, entry] of expected.entries()) {
      const mismatch = findMismatch(entry, actual[index], join(path, index))
      if (mismatch) return mismatch
    }
    return undefined
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return { path, message: `${path} is ${shown(actual)}, expected ${shown(expected)}` }
    for (const [key, value] of Object.entries(expected)) {
      const mismatch = findMismatch(value, actual[key], join(path, key))
      if (mismatch) return mismatch
    }
    return undefined
  }
  if (Object.is(expected, actual)) return undefined
  return { path, message: `${path} is ${shown(actual)}, expected ${shown(expected)}` }
}
