import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// Shared by every fake upstream (OpenAI today; Anthropic, Gemini, … later): each plugin keeps the
// responses recorded from its vendor in `plugins/<plugin>/__fixtures__/`.
// `NoInfer` keeps a call like `expect(x).toEqual({ ...loadFixture(…) })` from inferring `unknown`.

const pluginsRoot = fileURLToPath(new URL('../../plugins', import.meta.url))

/** Absolute path of a plugin's fixture file (`plugins/<plugin>/__fixtures__/<name>`). */
export function fixturePath(plugin: string, name: string): string {
  return `${pluginsRoot}/${plugin}/__fixtures__/${name}`
}

/** Reads a JSON fixture shipped by a plugin (`plugins/<plugin>/__fixtures__/<name>`). */
export function loadFixture<T = Record<string, unknown>>(plugin: string, name: string): NoInfer<T> {
  return JSON.parse(readFileSync(fixturePath(plugin, name), 'utf8')) as T
}

/** Reads a recorded stream: one JSON object per line, in the order the vendor sent them. */
export function loadChunks<T = Record<string, unknown>>(plugin: string, name: string): NoInfer<T>[] {
  return readFileSync(fixturePath(plugin, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T)
}
