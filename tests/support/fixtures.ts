import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const pluginsRoot = fileURLToPath(new URL('../../plugins', import.meta.url))

/** Reads a JSON fixture shipped by a plugin (`plugins/<plugin>/__fixtures__/<name>`). */
export function loadFixture<T = Record<string, unknown>>(plugin: string, name: string): T {
  return JSON.parse(readFileSync(`${pluginsRoot}/${plugin}/__fixtures__/${name}`, 'utf8')) as T
}

/** Reads a recorded stream: one JSON object per line, in the order the vendor sent them. */
export function loadChunks<T = Record<string, unknown>>(plugin: string, name: string): T[] {
  return readFileSync(`${pluginsRoot}/${plugin}/__fixtures__/${name}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T)
}
