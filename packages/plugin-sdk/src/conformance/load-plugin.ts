// Loads a plugin the way the gateway loads a PLUGINS path entry: a file is imported as it is; a folder
// through its package.json (`exports["."]`, a string `exports`, or `main`), else its index.ts or index.js.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Where a plugin lives: its entry file and its folder (where `conformance/` is looked for). */
export interface PluginLocation {
  /** The file imported. */
  entry: string
  /** The plugin's folder. */
  folder: string
}

/** The entry file a folder's package.json names, else its index.ts / index.js. */
function folderEntry(folder: string): string | undefined {
  const manifestPath = join(folder, 'package.json')
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; main?: unknown }
    const exported =
      typeof manifest.exports === 'string'
        ? manifest.exports
        : typeof manifest.exports === 'object' && manifest.exports !== null
          ? (manifest.exports as Record<string, unknown>)['.']
          : undefined
    const entry = typeof exported === 'string' ? exported : typeof manifest.main === 'string' ? manifest.main : undefined
    if (entry !== undefined) return join(folder, entry)
  }
  return ['index.ts', 'index.js'].map((name) => join(folder, name)).find((file) => existsSync(file))
}

/** Resolves a path (file or folder) against `cwd`; throws naming what is missing. */
export function locatePlugin(path: string, cwd: string = process.cwd()): PluginLocation {
  const absolute = resolve(cwd, path)
  if (!existsSync(absolute)) throw new Error(`nothing at ${absolute}`)
  if (!statSync(absolute).isDirectory()) return { entry: absolute, folder: dirname(absolute) }
  const entry = folderEntry(absolute)
  if (!entry) throw new Error(`${absolute} has no package.json entry, index.ts or index.js`)
  return { entry, folder: absolute }
}

/** Imports the entry and returns its default export, unchecked. */
export async function importPlugin(location: PluginLocation): Promise<unknown> {
  const module = (await import(pathToFileURL(location.entry).href)) as { default?: unknown }
  return module.default
}
