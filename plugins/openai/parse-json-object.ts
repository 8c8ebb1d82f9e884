/** Parses SSE data that must hold one JSON object; undefined for anything else, so callers report it as malformed. */
export function parseJsonObject<T extends object>(data: string): T | undefined {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : undefined
  } catch {
    return undefined
  }
}
