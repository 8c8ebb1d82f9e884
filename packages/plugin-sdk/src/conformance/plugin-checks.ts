// The manifest-level checks of the conformance kit: the manifest and its contract version (the very
// rules the gateway applies at start-up), pricing coverage, and settings forms the dashboard renders.
import type { PluginDefinition } from '../contract.ts'
import { findManifestProblem } from '../manifest.ts'
import { formProblems } from '../settings-form.ts'
import type { ConformanceCase, ConformanceConfig } from './case-file.ts'

const PRICE_MEMBERS = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok', 'perCall', 'perUnit'] as const

/** The manifest as the gateway would judge it at start-up, or undefined when it would load. */
export function manifestFailure(candidate: unknown): string | undefined {
  const problem = findManifestProblem(candidate)
  return problem ? `manifest: ${problem}` : undefined
}

/** True when `model` has a list price: an exact key, or a `prefix*` key it starts with. */
function isPriced(plugin: PluginDefinition, model: string): boolean {
  return Object.keys(plugin.pricing).some((key) => key === model || (key.endsWith('*') && model.startsWith(key.slice(0, -1))))
}

/**
 * Pricing coverage: every model the plugin knows has a list price or a stated reason in
 * `conformance.json`'s `unpriced`; every price sets something (an empty price bills nothing by accident).
 */
export function pricingFailures(plugin: PluginDefinition, config: ConformanceConfig): string[] {
  const failures: string[] = []
  const reasons = config.unpriced ?? {}
  for (const model of plugin.models) {
    if (isPriced(plugin, model.id)) continue
    const reason = reasons[model.id]
    if (typeof reason === 'string' && reason.trim() !== '') continue
    failures.push(
      `pricing: model "${model.id}" has no price: add pricing["${model.id}"] (or a "prefix*" key), or give the reason in conformance.json unpriced["${model.id}"]`,
    )
  }
  for (const [key, price] of Object.entries(plugin.pricing)) {
    if (!PRICE_MEMBERS.some((member) => price[member] !== undefined)) {
      failures.push(`pricing["${key}"]: sets no price (${PRICE_MEMBERS.join(', ')}); write perCall: 0 for a free model`)
    }
  }
  return failures
}

/** What the dashboard's channel form cannot render, per channel type, each naming the field. */
export function settingsFailures(plugin: PluginDefinition): string[] {
  return plugin.channelTypes.flatMap((channelType) => formProblems(channelType.settings).map((problem) => `channel type "${channelType.id}" ${problem}`))
}

/**
 * A plugin whose models claim tools must show it: some fixture records a tool call (in a response or a
 * stream expectation), so the codec checks and the gateway step exercise tools.
 */
export function toolCoverageFailures(plugin: PluginDefinition, cases: ConformanceCase[]): string[] {
  const claiming = plugin.models.filter((model) => model.capabilities.includes('tools')).map((model) => model.id)
  if (claiming.length === 0 || cases.length === 0) return []
  const recordsCall = cases.some(({ file }) => [file.expect, file.expectStream].some((expected) => (expected?.toolCalls?.length ?? 0) > 0))
  if (recordsCall) return []
  const shown =
    claiming
      .slice(0, 3)
      .map((id) => `"${id}"`)
      .join(', ') + (claiming.length > 3 ? ', …' : '')
  return [`fixtures: models claim tools (${shown}) but no case in conformance/ records a tool call (expect.toolCalls)`]
}
