import { readFileSync } from 'node:fs'

// The recorded-shape fixtures in ../__fixtures__: complete answers as JSON, streams as Ollama sends them,
// one JSON message per line (newline-delimited JSON, no SSE framing).

const folder = new URL('../__fixtures__/', import.meta.url)

/** A JSON fixture, parsed. */
export function ollamaFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as T
}

/** A stream fixture's bytes, exactly as recorded. */
export function ollamaStreamBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, folder)))
}
