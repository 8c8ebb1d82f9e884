// Reading one member of a large JSON response without parsing the rest: a passthrough answer goes to
// the client as the bytes it came in, and billing needs only its usage object.

const QUOTE = 34
const BACKSLASH = 92
const OPEN_BRACE = 123
const CLOSE_BRACE = 125

/**
 * The object value of the last top-level-looking `"name":` member of a JSON text, parsed, or
 * undefined when it is absent, not an object, or not well formed. Safe against look-alikes inside
 * strings: there a quote is always escaped, so `"name":` with bare quotes cannot occur. Providers put
 * usage last, so the last occurrence is the one (and nested objects never carry the same key).
 */
export function lastObjectMember(text: string, name: string): Record<string, unknown> | undefined {
  const key = `"${name}"`
  let at = text.lastIndexOf(key)
  while (at !== -1) {
    let index = at + key.length
    while (index < text.length && text.charCodeAt(index) <= 32) index++
    if (text.charCodeAt(index) === 58) {
      index++
      while (index < text.length && text.charCodeAt(index) <= 32) index++
      if (text.charCodeAt(index) !== OPEN_BRACE) return undefined
      const end = closingBrace(text, index)
      if (end === -1) return undefined
      try {
        return JSON.parse(text.slice(index, end + 1))
      } catch {
        return undefined
      }
    }
    at = text.lastIndexOf(key, at - 1)
  }
  return undefined
}

/** Index of the brace closing the object that opens at `start`, skipping strings; -1 when it never closes. */
function closingBrace(text: string, start: number): number {
  let depth = 0
  let inString = false
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (inString) {
      if (code === BACKSLASH) index++
      else if (code === QUOTE) inString = false
    } else if (code === QUOTE) inString = true
    else if (code === OPEN_BRACE) depth++
    else if (code === CLOSE_BRACE && --depth === 0) return index
  }
  return -1
}

/** A cheap check that a text is one JSON object (first and last non-blank characters are braces). */
export function looksLikeJsonObject(text: string): boolean {
  let first = 0
  while (first < text.length && text.charCodeAt(first) <= 32) first++
  let last = text.length - 1
  while (last > first && text.charCodeAt(last) <= 32) last--
  return text.charCodeAt(first) === OPEN_BRACE && text.charCodeAt(last) === CLOSE_BRACE
}
