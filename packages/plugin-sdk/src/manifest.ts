// Manifest validation: what a plugin's default export must look like for the gateway to load it. Pure
// (no host state), so the gateway's loader and the conformance kit apply the very same rules.
import { HUB_VERSION } from './hub.ts'
import { specVersionProblem } from './spec-version.ts'

const ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/
const HOST_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/
const DIALECT_FUNCTIONS = [
  'readKey',
  'readModel',
  'readStream',
  'readMaxOutputTokens',
  'prepareUpstreamBody',
  'estimatePrompt',
  'renderError',
  'renderStreamError',
] as const
const HUB_UPSTREAM_FUNCTIONS = ['encodeRequest', 'decodeResult', 'decodeStream'] as const
const HUB_CLIENT_FUNCTIONS = ['decodeRequest', 'encodeResult', 'encodeStream'] as const
const PRICE_FIELDS = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok', 'cacheWrite1hPerMTok', 'perCall'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The first problem with a channel type's balance readers (ids unique and well-formed, hosts bare host names), or undefined. */
function findBalanceReaderProblem(readers: unknown, where: string): string | undefined {
  if (readers === undefined) return undefined
  if (!Array.isArray(readers)) return `${where} must be an array`
  const ids = new Set<string>()
  for (const [index, reader] of readers.entries()) {
    const at = `${where}[${index}]`
    if (!isRecord(reader)) return `${at} must be an object`
    if (typeof reader.id !== 'string' || !ID_PATTERN.test(reader.id)) return `${at}.id must be a short lowercase word ([a-z][a-z0-9-]*)`
    if (ids.has(reader.id)) return `${at}.id "${reader.id}" is declared twice`
    ids.add(reader.id)
    if (typeof reader.label !== 'string' || reader.label === '') return `${at}.label must be a non-empty string`
    if (typeof reader.read !== 'function') return `${at}.read must be a function`
    const hosts = reader.hosts
    if (hosts !== undefined && (!Array.isArray(hosts) || !hosts.every((host) => typeof host === 'string' && HOST_PATTERN.test(host)))) {
      return `${at}.hosts must be an array of lowercase host names (e.g. "openrouter.ai")`
    }
  }
  return undefined
}

/**
 * The first problem with a manifest, or undefined when it is usable: the one definition of a valid
 * manifest, used by the gateway at start-up and by the conformance kit.
 */
export function findManifestProblem(candidate: unknown): string | undefined {
  if (!isRecord(candidate)) return 'the default export is not an object (use `export default definePlugin({...})`)'
  if (typeof candidate.id !== 'string' || !ID_PATTERN.test(candidate.id)) return 'id must be a short lowercase word ([a-z][a-z0-9-]*)'
  const versionProblem = specVersionProblem(candidate.specVersion)
  if (versionProblem) return versionProblem
  if (typeof candidate.name !== 'string' || candidate.name === '') return 'name must be a non-empty string'
  if (candidate.version !== undefined && (typeof candidate.version !== 'string' || candidate.version === ''))
    return 'version, when given, must be a non-empty string (e.g. "1.2.0")'
  if (!Array.isArray(candidate.channelTypes)) return 'channelTypes must be an array'
  for (const [index, channelType] of candidate.channelTypes.entries()) {
    if (!isRecord(channelType)) return `channelTypes[${index}] must be an object`
    if (typeof channelType.id !== 'string' || !ID_PATTERN.test(channelType.id)) return `channelTypes[${index}].id must be a short lowercase word`
    if (!isRecord(channelType.settings) || channelType.settings.type !== 'object') return `channelTypes[${index}].settings must be a TypeBox object schema`
    const transport = channelType.transport
    if (!isRecord(transport) || typeof transport.buildRequest !== 'function') return `channelTypes[${index}].transport.buildRequest must be a function`
    if (!Array.isArray(transport.nativeDialects)) return `channelTypes[${index}].transport.nativeDialects must be an array`
    const listing = channelType.modelListing
    if (listing !== undefined && (!isRecord(listing) || typeof listing.buildRequest !== 'function' || typeof listing.parsePage !== 'function')) {
      return `channelTypes[${index}].modelListing must have buildRequest and parsePage functions`
    }
    const readerProblem = findBalanceReaderProblem(channelType.balanceReaders, `channelTypes[${index}].balanceReaders`)
    if (readerProblem) return readerProblem
  }
  if (!Array.isArray(candidate.models)) return 'models must be an array'
  for (const [index, model] of candidate.models.entries()) {
    const dialects = isRecord(model) ? model.dialects : undefined
    if (dialects !== undefined && (!Array.isArray(dialects) || dialects.length === 0 || !dialects.every((dialect) => typeof dialect === 'string'))) {
      return `models[${index}].dialects must be a non-empty array of dialect names`
    }
  }
  if (!isRecord(candidate.pricing)) return 'pricing must be an object keyed by model id'
  for (const [model, price] of Object.entries(candidate.pricing)) {
    if (!isRecord(price)) return `pricing["${model}"] must be an object`
    for (const field of PRICE_FIELDS) {
      const value = price[field]
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
        return `pricing["${model}"].${field} must be a non-negative number`
    }
    const perUnitProblem = findPerUnitProblem(price.perUnit, `pricing["${model}"].perUnit`)
    if (perUnitProblem) return perUnitProblem
  }
  if (!Array.isArray(candidate.dialects)) return 'dialects must be an array'
  for (const [index, codec] of candidate.dialects.entries()) {
    if (!isRecord(codec) || typeof codec.dialect !== 'string') return `dialects[${index}].dialect must be a string`
    if (codec.routes === undefined) {
      const problem = upstreamOnlyDialectProblem(codec, `dialects[${index}] (${codec.dialect})`)
      if (problem) return problem
      continue
    }
    for (const name of DIALECT_FUNCTIONS) {
      if (typeof codec[name] !== 'function') return `dialects[${index}] (${codec.dialect}).${name} must be a function`
    }
    const roleProblem = codec.role === undefined ? upstreamRoleProblem(codec) : clientOnlyProblem(codec)
    if (roleProblem) return `dialects[${index}] (${codec.dialect})${roleProblem}`
    // Deprecated since 1.3 (a hub push decoder watches passthrough streams), so optional, but a function when given.
    if (codec.createStreamTap !== undefined && typeof codec.createStreamTap !== 'function')
      return `dialects[${index}] (${codec.dialect}).createStreamTap must be a function`
    if (isRecord(codec.hub) && codec.hub.createStreamDecoder !== undefined && typeof codec.hub.createStreamDecoder !== 'function')
      return `dialects[${index}] (${codec.dialect}).hub.createStreamDecoder must be a function`
    if (!Array.isArray(codec.routes)) return `dialects[${index}] (${codec.dialect}).routes must be an array`
    if (isRecord(codec.hub) && codec.hub.frameStream !== undefined)
      return `dialects[${index}] (${codec.dialect}).hub.frameStream is only for dialects without routes (clients always stream SSE)`
  }
  return findTokenizerProblem(candidate.tokenizers) ?? hubVersionProblem(candidate)
}

/** A usage quantity's name (`searchUnits`): camelCase, as prices and usage must spell it. */
export const QUANTITY_PATTERN = /^[a-z][a-zA-Z0-9]{0,39}$/
const ENCODINGS = ['o200k_base', 'cl100k_base']

/** A price's non-token part: camelCase quantity names, each with a non-negative USD amount per unit. */
function findPerUnitProblem(perUnit: unknown, where: string): string | undefined {
  if (perUnit === undefined) return undefined
  if (!isRecord(perUnit)) return `${where} must be an object of USD per unit by quantity name`
  for (const [name, value] of Object.entries(perUnit)) {
    if (!QUANTITY_PATTERN.test(name)) return `${where} has "${name}", which is not a camelCase quantity name (e.g. "searchUnits")`
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${where}.${name} must be a non-negative number`
  }
  return undefined
}

/** Tokenizer declarations: each one names a shipped encoding or brings a count function. */
function findTokenizerProblem(tokenizers: unknown): string | undefined {
  if (tokenizers === undefined) return undefined
  if (!isRecord(tokenizers)) return 'tokenizers must be an object keyed by model id'
  for (const [model, spec] of Object.entries(tokenizers)) {
    const valid = isRecord(spec) && (typeof spec.count === 'function' || (typeof spec.encoding === 'string' && ENCODINGS.includes(spec.encoding)))
    if (!valid) return `tokenizers["${model}"] must be { encoding: ${ENCODINGS.map((name) => `"${name}"`).join(' | ')} } or { count(text) }`
  }
  return undefined
}

/**
 * The first problem with a dialect that declares no routes: it is only sent upstream, so it needs an
 * endpoint kind, an upstream error reader and the upstream half of a hub codec, and nothing client-facing.
 */
function upstreamOnlyDialectProblem(codec: Record<string, unknown>, where: string): string | undefined {
  if (typeof codec.endpoint !== 'string') return `${where}.endpoint must be a string`
  if (typeof codec.readUpstreamError !== 'function') return `${where}.readUpstreamError must be a function`
  const hub = codec.hub
  if (!isRecord(hub)) return `${where}.hub is required for a dialect without routes (it is only reached through the hub); declare routes to serve clients in it`
  for (const name of HUB_UPSTREAM_FUNCTIONS) {
    if (typeof hub[name] !== 'function') return `${where}.hub.${name} must be a function`
  }
  if (hub.frameStream !== undefined && typeof hub.frameStream !== 'function') return `${where}.hub.frameStream must be a function`
  if (hub.createStreamDecoder !== undefined && typeof hub.createStreamDecoder !== 'function') return `${where}.hub.createStreamDecoder must be a function`
  return undefined
}

/** What the upstream role of a dialect with routes lacks (`.member ...`), or undefined: its error reader, and usage readers that are functions. */
function upstreamRoleProblem(codec: Record<string, unknown>): string | undefined {
  if (typeof codec.readUpstreamError !== 'function') return '.readUpstreamError must be a function'
  // Deprecated since 1.5 (usageMember + decodeUsage, or the hub's decodeResult, read usage), so optional, but a function when given.
  if (codec.readUsage !== undefined && typeof codec.readUsage !== 'function') return '.readUsage must be a function'
  if (codec.decodeUsage !== undefined && typeof codec.decodeUsage !== 'function') return '.decodeUsage must be a function'
  if (codec.decodeUsage !== undefined && typeof codec.usageMember !== 'string') return '.decodeUsage reads the usageMember member: usageMember must be a string'
  return undefined
}

/**
 * What a client-only dialect (`role: 'client'`, since 1.5) lacks, or undefined: every call in it is converted
 * through the hub, so it needs the hub's client side, and it brings nothing of the upstream role.
 */
function clientOnlyProblem(codec: Record<string, unknown>): string | undefined {
  if (codec.role !== 'client') return `.role must be 'client' (a dialect with both roles declares none)`
  const hub = codec.hub
  if (!isRecord(hub)) return '.hub is required for a client-only dialect: every call in it is converted through the hub'
  for (const name of HUB_CLIENT_FUNCTIONS) {
    if (typeof hub[name] !== 'function') return `.hub.${name} must be a function`
  }
  for (const name of ['readUpstreamError', 'readUsage', 'decodeUsage', 'usageMember'] as const) {
    if (codec[name] !== undefined)
      return `.${name} belongs to the upstream role, which a client-only dialect does not have (it is never sent upstream as it is)`
  }
  return undefined
}

/** A plugin whose converters speak the hub must say which hub version, and it must be this gateway's. */
function hubVersionProblem(candidate: Record<string, unknown>): string | undefined {
  const usesHub = (candidate.dialects as unknown[]).some((codec) => isRecord(codec) && codec.hub !== undefined)
  if (candidate.hubVersion === undefined)
    return usesHub ? `hubVersion is required for a plugin with hub converters (this gateway's hub is version ${HUB_VERSION})` : undefined
  if (candidate.hubVersion !== HUB_VERSION) {
    return `hubVersion ${String(candidate.hubVersion)} is not supported: its converters were written for hub version ${String(candidate.hubVersion)}, this gateway's hub is version ${HUB_VERSION} (rebuild the plugin against this gateway's core)`
  }
  return undefined
}
