import { readdirSync, existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join, resolve } from 'node:path'
import type { PluginDefinition } from './define-plugin.ts'
import { PluginLoadError, validatePlugin } from './validate-plugin.ts'

const builtinRoot = fileURLToPath(new URL('../../plugins', import.meta.url))

/** Module specifiers of the built-in plugins: every `plugins/<name>/index.ts`. */
export function builtinPluginSpecifiers(root = builtinRoot): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'index.ts')))
    .map((entry) => pathToFileURL(join(root, entry.name, 'index.ts')).href)
    .sort()
}

/** Turns a PLUGINS entry into something import() accepts: paths resolve against the working directory. */
function importable(specifier: string): string {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return pathToFileURL(resolve(specifier)).href
  return specifier
}

/** Imports and validates one plugin module; every failure names the plugin source and the reason. */
export async function loadPluginModule(specifier: string): Promise<PluginDefinition> {
  let module: { default?: unknown }
  try {
    module = (await import(importable(specifier))) as { default?: unknown }
  } catch (error) {
    throw new PluginLoadError(`Plugin "${specifier}": cannot be imported: ${error instanceof Error ? error.message : String(error)}`)
  }
  return validatePlugin(module.default, specifier)
}

/** Loads built-ins then external plugins, the core never importing any plugin by name. */
export async function loadPlugins(external: string[], options: { builtinRoot?: string } = {}): Promise<PluginDefinition[]> {
  const specifiers = [...builtinPluginSpecifiers(options.builtinRoot), ...external]
  const plugins: PluginDefinition[] = []
  for (const specifier of specifiers) plugins.push(await loadPluginModule(specifier))
  return plugins
}
