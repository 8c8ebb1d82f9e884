import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { PluginDefinition } from '@hanggent/plugin-sdk'

// Where each loaded plugin came from (a built-in folder or a PLUGINS entry) and the npm package that
// holds it, read once at load for the admin API's plugin list. Kept beside the definitions rather
// than on them, so the contract carries nothing the host invents.

/** The npm package a plugin was loaded from. */
export interface PluginPackage {
  /** `name` in its package.json. */
  name: string
  /** `version` in its package.json, when it has one. */
  version?: string
}

/** Where a loaded plugin came from. */
export interface PluginOrigin {
  /** `built-in` for plugins/<name>/, `PLUGINS` for an entry of that setting. */
  source: 'built-in' | 'PLUGINS'
  /** The PLUGINS entry as the operator wrote it, or the built-in's folder name. */
  entry: string
  /** The package holding it, when it was loaded from one. */
  package?: PluginPackage
}

const origins = new WeakMap<PluginDefinition, PluginOrigin>()

/** Remembers where a loaded plugin came from (the loader calls this once per plugin). */
export function recordPluginOrigin(plugin: PluginDefinition, origin: PluginOrigin): void {
  origins.set(plugin, origin)
}

/** Where a plugin came from, or undefined for one the loader did not load (built in a test). */
export function pluginOrigin(plugin: PluginDefinition): PluginOrigin | undefined {
  return origins.get(plugin)
}

/** The name and version in a package.json, or undefined when it is absent or names no package. */
export function readPackage(manifestPath: string): PluginPackage | undefined {
  if (!existsSync(manifestPath)) return undefined
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: unknown; version?: unknown }
    if (typeof manifest.name !== 'string' || manifest.name === '') return undefined
    return { name: manifest.name, ...(typeof manifest.version === 'string' ? { version: manifest.version } : {}) }
  } catch {
    return undefined
  }
}

/**
 * The package a PLUGINS entry loads from: a bare name's package in the gateway's node_modules; for a
 * path, the nearest package.json at or above it, stopping before the working directory and the
 * gateway's own folder (a loose file there belongs to no package of its own).
 */
export function packageOfEntry(entry: string, cwd: string, gatewayRoot: string): PluginPackage | undefined {
  if (!entry.startsWith('.') && !entry.startsWith('/')) {
    const parts = entry.split('/')
    const name = entry.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
    return readPackage(join(gatewayRoot, 'node_modules', name, 'package.json'))
  }
  const path = resolve(cwd, entry)
  const stops = new Set([resolve(cwd), resolve(gatewayRoot)])
  let folder = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path)
  while (!stops.has(folder)) {
    const found = readPackage(join(folder, 'package.json'))
    if (found) return found
    const parent = dirname(folder)
    if (parent === folder) return undefined
    folder = parent
  }
  return undefined
}
