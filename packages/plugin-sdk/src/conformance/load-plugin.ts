// Loads a plugin the way the gateway loads a PLUGINS path entry: a file is imported as it is; a folder
// through its package.json (`exports["."]`, a string `exports`, or `main`), else its index.ts or index.js.
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { pluginFolderEntry } from '../plugin-entry.ts'

/** Where a plugin lives: its entry file and its folder (where `conformance/` is looked for). */
export interface PluginLocation {
  /** The file imported. */
  entry: string
  /** The plugin's folder. */
  folder: string
}

/** Resolves a path (file or folder) against `cwd`; throws naming what is missing. */
export function locatePlugin(path: string, cwd: string = process.cwd()): PluginLocation {
  const absolute = resolve(cwd, path)
  if (!existsSync(absolute)) throw new Error(`nothing at ${absolute}`)
  if (!statSync(absolute).isDirectory()) return { entry: absolute, folder: dirname(absolute) }
  const entry = pluginFolderEntry(absolute)
  if (!entry) throw new Error(`${absolute} has no package.json entry, index.ts or index.js`)
  return { entry, folder: absolute }
}

/** Imports the entry and returns its default export, unchecked. */
export async function importPlugin(location: PluginLocation): Promise<unknown> {
  const module = (await import(pathToFileURL(location.entry).href)) as { default?: unknown }
  return module.default
}
