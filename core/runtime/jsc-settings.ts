// JavaScriptCore settings the gateway runs with. JavaScriptCore reads its options from the environment
// (`BUN_JSC_<option>`) once, when the process starts, so a gateway started without them starts itself
// again in place (execve: same process id, same arguments and Bun flags) with them added. An operator's
// own value for any of them wins. Where execve is missing (Windows) the gateway runs with Bun's defaults.
// docs/memory.md has the measurements behind each value.

/** The settings: after a full collection the heap may grow to ~1.75× what it kept before the next one, not ~3×. */
export const GATEWAY_JSC_SETTINGS: Readonly<Record<string, string>> = { BUN_JSC_heapGrowthMaxIncrease: '0.75' }

/** The environment to start again with, or undefined when every setting is already in `env` (set by us or the operator). */
export function environmentWithJscSettings(
  env: Readonly<Record<string, string | undefined>>,
  settings: Readonly<Record<string, string>> = GATEWAY_JSC_SETTINGS,
): Record<string, string> | undefined {
  const missing = Object.entries(settings).filter(([name]) => env[name] === undefined)
  if (missing.length === 0) return undefined
  const next: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) next[name] = value
  for (const [name, value] of missing) next[name] = value
  return next
}

/** Replaces this process with itself plus the missing settings; returns only when nothing is missing or execve is unavailable. */
export function restartWithJscSettings(): void {
  const env = environmentWithJscSettings(process.env)
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve
  if (env === undefined || typeof execve !== 'function') return
  try {
    execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env)
  } catch {
    // Refused (a sandbox, say): the gateway runs with Bun's defaults.
  }
}
