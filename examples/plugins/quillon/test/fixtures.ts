import { readFileSync } from 'node:fs'

// The recorded-shape fixtures in ../__fixtures__: complete answers as JSON, streams as one SSE `data:`
// payload per line (the last being `[DONE]`), exactly as Quillon sends them.

const folder = new URL('../__fixtures__/', import.meta.url)

/** A JSON fixture, parsed. */
export function quillonFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as T
}

/** A stream fixture's `data:` payloads, in order. */
export function quillonChunks(name: string): string[] {
  return readFileSync(new URL(name, folder), 'utf8').split('\n').filter((line) => line !== '')
}
