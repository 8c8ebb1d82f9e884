// Where a plugin folder's code starts, by the rule the gateway's PLUGINS loader and the conformance kit share.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The file a plugin folder's package.json points at (`exports["."]`, a string `exports`, or `main`),
 * else its `index.ts` or `index.js`; undefined when the folder names none of them.
 */
export function pluginFolderEntry(folder: string): string | undefined {
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
