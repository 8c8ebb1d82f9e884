import { readdirSync, existsSync, statSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { basename, dirname, join, resolve } from 'node:path'
import { pluginFolderEntry, type PluginDefinition } from '@hanggent/plugin-sdk'
import { PluginLoadError, validatePlugin } from './validate-plugin.ts'
import { packageOfEntry, recordPluginOrigin } from './plugin-origin.ts'

const builtinRoot = fileURLToPath(new URL('../../plugins', import.meta.url))
/** The gateway's own install: bare package names in PLUGINS resolve from its node_modules. */
const gatewayRoot = fileURLToPath(new URL('../..', import.meta.url))

/** Module specifiers of the built-in plugins: every `plugins/<name>/index.ts`. */
export function builtinPluginSpecifiers(root = builtinRoot): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'index.ts')))
    .map((entry) => pathToFileURL(join(root, entry.name, 'index.ts')).href)
    .sort()
}

/** True for a PLUGINS entry that is a path (`./x`, `../x`, `/x`) rather than a package name. */
function isPathEntry(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/')
}

/** A package name's folder name: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/** Turns a PLUGINS entry into something import() accepts: paths resolve against the working directory, a folder through its package.json. */
function importable(specifier: string, cwd: string): string {
  if (!isPathEntry(specifier)) return specifier
  const path = resolve(cwd, specifier)
  const file = existsSync(path) && statSync(path).isDirectory() ? (pluginFolderEntry(path) ?? path) : path
  return pathToFileURL(file).href
}

/**
 * Why an entry that failed to import was not found, naming both places entries are looked for, or
 * undefined when it exists (the module itself failed: a syntax error, a missing dependency of its own).
 */
export function notFoundMessage(specifier: string, cwd: string = process.cwd(), root: string = gatewayRoot): string | undefined {
  const fromCwd = resolve(cwd, specifier)
  const inInstall = isPathEntry(specifier) ? join(root, 'node_modules') : join(root, 'node_modules', packageNameOf(specifier))
  if (isPathEntry(specifier)) {
    if (existsSync(fromCwd)) return undefined
    return `Plugin "${specifier}": cannot be found. A path resolves from the working directory (${cwd}): nothing at ${fromCwd}. A bare package name would resolve from the gateway's own install instead (${inInstall}).`
  }
  if (existsSync(inInstall)) return undefined
  const hint = existsSync(fromCwd) ? ` A folder ${fromCwd} exists: write "./${specifier}" to load it as a path.` : ` Nothing at ${fromCwd} either.`
  return `Plugin "${specifier}": cannot be found. A bare package name resolves from the gateway's own install: nothing at ${inInstall} (install it there, e.g. \`npm install ${packageNameOf(specifier)}\` in ${root}). A path resolves from the working directory (${cwd}) and must start with ./, ../ or /.${hint}`
}

/** Imports and validates one plugin module; every failure names the plugin source and the reason. */
export async function loadPluginModule(specifier: string, cwd: string = process.cwd()): Promise<PluginDefinition> {
  let module: { default?: unknown }
  try {
    module = (await import(importable(specifier, cwd))) as { default?: unknown }
  } catch (error) {
    throw new PluginLoadError(
      notFoundMessage(specifier, cwd) ?? `Plugin "${specifier}": cannot be imported: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  return validatePlugin(module.default, specifier)
}

/** Loads built-ins then external plugins, the core never importing any plugin by name; each one's origin is recorded (plugin-origin.ts). */
export async function loadPlugins(external: string[], options: { builtinRoot?: string } = {}): Promise<PluginDefinition[]> {
  const plugins: PluginDefinition[] = []
  for (const specifier of builtinPluginSpecifiers(options.builtinRoot)) {
    const plugin = await loadPluginModule(specifier)
    recordPluginOrigin(plugin, { source: 'built-in', entry: basename(dirname(fileURLToPath(specifier))) })
    plugins.push(plugin)
  }
  for (const specifier of external) {
    const plugin = await loadPluginModule(specifier)
    const found = packageOfEntry(specifier, process.cwd(), gatewayRoot)
    recordPluginOrigin(plugin, { source: 'PLUGINS', entry: specifier, ...(found ? { package: found } : {}) })
    plugins.push(plugin)
  }
  return plugins
}
