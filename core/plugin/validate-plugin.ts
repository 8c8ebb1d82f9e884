import { findManifestProblem, type PluginDefinition } from '@hanggent/plugin-sdk'

// The host side of manifest validation: the rules themselves live in the SDK (findManifestProblem),
// shared with the conformance kit; the gateway turns a problem into a load error that stops start-up.

export { findManifestProblem }

/** Raised when a plugin manifest is unusable; the message names the plugin and the reason. */
export class PluginLoadError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Checks a manifest and returns it typed; throws PluginLoadError with the plugin's id and the reason. */
export function validatePlugin(candidate: unknown, source: string): PluginDefinition {
  const problem = findManifestProblem(candidate)
  if (problem) {
    const id = isRecord(candidate) && typeof candidate.id === 'string' ? candidate.id : source
    throw new PluginLoadError(`Plugin "${id}" (${source}): ${problem}`)
  }
  return candidate as unknown as PluginDefinition
}
