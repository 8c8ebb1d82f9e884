// Contract versioning. A plugin declares the contract version it was written against as "major.minor".
// Minor versions only add optional members, so a host of version M.n runs every plugin of version M.m
// with m ≤ n; a new major breaks plugins and is refused. A bare integer N (the form of contract 1 before
// it was versioned this way) means "N.0", so existing plugins that declare `specVersion: 1` keep loading.

/** A contract version as a plugin declares it: "major.minor" (e.g. '1.1'), or a bare integer meaning major.0. */
export type SpecVersion = `${number}.${number}` | number

/** The contract version this SDK describes and the gateway built with it implements. */
export const PLUGIN_SPEC_VERSION = '1.5' satisfies SpecVersion

/** A parsed contract version. */
export interface ParsedSpecVersion {
  /** Breaking generation of the contract. */
  major: number
  /** Additions within the major version; a plugin may use those up to its own minor. */
  minor: number
}

const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)$/

/** Reads a declared version; undefined when it is neither "major.minor" nor a non-negative integer. */
export function parseSpecVersion(declared: unknown): ParsedSpecVersion | undefined {
  if (typeof declared === 'number') return Number.isSafeInteger(declared) && declared >= 0 ? { major: declared, minor: 0 } : undefined
  if (typeof declared !== 'string') return undefined
  const match = VERSION_PATTERN.exec(declared)
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined
}

/** The versions a host of version `host` accepts, in words: "1.0 to 1.1" (same major, minor up to the host's). */
export function acceptedSpecVersions(host: string = PLUGIN_SPEC_VERSION): string {
  const parsed = parseSpecVersion(host)
  if (!parsed) throw new Error(`host contract version "${host}" is not "major.minor"`)
  const { major, minor } = parsed
  return minor === 0 ? `${major}.0` : `${major}.0 to ${major}.${minor}`
}

/**
 * Why a host of version `host` refuses a plugin declaring `declared`, or undefined when it accepts it:
 * the message gives the declared version and the versions accepted.
 */
export function specVersionProblem(declared: unknown, host: string = PLUGIN_SPEC_VERSION): string | undefined {
  const accepted = `this gateway accepts contract versions ${acceptedSpecVersions(host)} (plugin SDK ${host})`
  const parsed = parseSpecVersion(declared)
  const shown = typeof declared === 'string' ? `"${declared}"` : String(declared)
  if (!parsed) return `specVersion ${shown} is not supported: write the contract version as "major.minor" (e.g. "${host}"); ${accepted}`
  const own = parseSpecVersion(host)!
  if (parsed.major !== own.major) {
    const hint = parsed.major > own.major ? 'upgrade the gateway' : `rebuild the plugin against plugin SDK ${own.major}.x`
    return `specVersion ${shown} is not supported: ${accepted}; contract ${parsed.major}.x is another major version (${hint})`
  }
  if (parsed.minor > own.minor)
    return `specVersion ${shown} is not supported: ${accepted}; the plugin may use additions this gateway lacks (upgrade the gateway)`
  return undefined
}
