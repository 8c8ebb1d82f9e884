import { readFileSync } from 'node:fs'

// The recorded-shape fixtures in ../__fixtures__: complete answers as JSON, streams as one JSON chunk
// per line, each sent by Quillon as an SSE `data:` event, and the stream closed by `data: [DONE]`.

const folder = new URL('../__fixtures__/', import.meta.url)

/** A JSON fixture, parsed. */
export function quillonFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as T
}

/** A stream fixture's `data:` payloads, in order, `[DONE]` last as Quillon ends its streams. */
export function quillonChunks(name: string): string[] {
  return [
    ...readFileSync(new URL(name, folder), 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
    '[DONE]',
  ]
}
