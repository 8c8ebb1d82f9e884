// Prices and tokenizers are keyed by model id or by a `prefix*` covering a family of versioned ids
// (`gemini-2.5-flash*`). One rule finds the entry for a model, used by the gateway's registry and by a
// plugin's own tests: the exact id first, then the longest matching prefix.

/** Entries keyed by model id or `prefix*`, added one table at a time. */
export interface ModelLookup<T> {
  /** Adds one entry; an exact id already present keeps its first value. */
  add(key: string, value: T): void
  /** The entry for a model: its exact id, else the longest `prefix*` it starts with, else undefined. */
  find(model: string): T | undefined
}

/** A lookup over `entries` (e.g. a plugin's `pricing` or `tokenizers`); more can be added with `add`. */
export function createModelLookup<T>(entries: Record<string, T> = {}): ModelLookup<T> {
  const exact = new Map<string, T>()
  const prefixes: Array<[string, T]> = []
  const lookup: ModelLookup<T> = {
    add(key, value) {
      if (key.endsWith('*')) {
        prefixes.push([key.slice(0, -1), value])
        prefixes.sort((a, b) => b[0].length - a[0].length)
      } else if (!exact.has(key)) exact.set(key, value)
    },
    find: (model) => exact.get(model) ?? prefixes.find(([prefix]) => model.startsWith(prefix))?.[1],
  }
  for (const [key, value] of Object.entries(entries)) lookup.add(key, value)
  return lookup
}
