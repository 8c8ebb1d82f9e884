import { readFileSync } from 'node:fs'

// The recorded-shape fixtures in ../__fixtures__: complete answers as JSON, streams as one event per
// line (the `data:` payload; Cohere names each SSE event after the payload's `type`).

const folder = new URL('../__fixtures__/', import.meta.url)

/** A JSON fixture, parsed. */
export function cohereFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as T
}

/** A stream fixture's event payloads, in order. */
export function cohereChunks(name: string): string[] {
  return readFileSync(new URL(name, folder), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
}

/** One SSE frame as Cohere sends it: `event:` named after the payload's `type`, then the payload. */
export function cohereFrame(data: string): string {
  const type = (JSON.parse(data) as { type?: unknown }).type
  return `event: ${String(type)}\ndata: ${data}\n\n`
}
