// The conformance kit: checks a provider plugin the way the gateway will use it. It loads the plugin as a
// PLUGINS path entry, validates the manifest and contract version with the gateway's own rules, checks
// pricing and settings forms, runs the recorded fixtures of `conformance/` through the plugin's codecs,
// and (optionally) drives a real gateway process with the official SDKs in front of a fake upstream
// that replays those fixtures. Used by the CLI (`hanggent-plugin check`) and by a plugin's own tests.
import type { PluginDefinition } from '../contract.ts'
import { fixtureFolder, FixtureFileError, loadCases, loadConfig, type ConformanceCase, type ConformanceConfig } from './case-file.ts'
import { checkCase } from './codec-checks.ts'
import { defaultGatewayRoot } from './gateway-process.ts'
import { runGatewayStep } from './gateway-step.ts'
import { importPlugin, locatePlugin, type PluginLocation } from './load-plugin.ts'
import { manifestFailure, pricingFailures, settingsFailures, toolCoverageFailures } from './plugin-checks.ts'
import { realtimeFailures } from './realtime-checks.ts'
import { mediaFailures } from './media-checks.ts'
import { roleFailures } from './role-checks.ts'
import { taskPlatformFailures } from './task-checks.ts'

export type { ConformanceCaseFile, ConformanceConfig, ExpectedAnswer, GatewayStepConfig, StreamSource } from './case-file.ts'

/** Options of a conformance run. */
export interface ConformanceOptions {
  /** Drive a real gateway with the official SDKs (slow: a process start); the CLI does by default, the test helper does not. */
  gateway?: boolean
  /** The gateway install to run (`bun core/main.ts` there); default: the one the SDK sits in. */
  gatewayRoot?: string
  /** Working directory a relative plugin path resolves from. */
  cwd?: string
}

/** What a run found. */
export interface ConformanceReport {
  /** The plugin's id, when the manifest had one. */
  plugin?: string
  /** One line per check that passed. */
  passed: string[]
  /** One message per failure, naming the fixture (or manifest part) and the field. */
  failures: string[]
  /** Things not checked, and why. */
  notes: string[]
}

function idOf(candidate: unknown): string | undefined {
  return typeof candidate === 'object' && candidate !== null && typeof (candidate as { id?: unknown }).id === 'string'
    ? (candidate as { id: string }).id
    : undefined
}

/** Reads the fixture folder; a malformed one is a failure, a missing one a note. */
function readFixtures(folder: string | undefined, report: ConformanceReport): { cases: ConformanceCase[]; config: ConformanceConfig } {
  if (!folder) {
    report.notes.push('no conformance/ folder: no recorded fixtures to run (see the author guide, "Checking a plugin: the conformance kit")')
    return { cases: [], config: {} }
  }
  try {
    return { cases: loadCases(folder), config: loadConfig(folder) }
  } catch (error) {
    if (!(error instanceof FixtureFileError || error instanceof SyntaxError)) throw error
    report.failures.push(error.message)
    return { cases: [], config: {} }
  }
}

/** Checks the plugin at `path` (its folder or entry file); never throws for a plugin's fault, it reports it. */
export async function conformance(path: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const report: ConformanceReport = { passed: [], failures: [], notes: [] }
  let location: PluginLocation
  let candidate: unknown
  try {
    location = locatePlugin(path, options.cwd)
    candidate = await importPlugin(location)
  } catch (error) {
    report.failures.push(`load: ${path}: ${error instanceof Error ? error.message : String(error)}`)
    return report
  }
  report.plugin = idOf(candidate)
  const manifest = manifestFailure(candidate)
  if (manifest) {
    report.failures.push(manifest)
    return report
  }
  report.passed.push('manifest and contract version')
  const plugin = candidate as PluginDefinition
  const { cases, config } = readFixtures(fixtureFolder(location.folder), report)
  const pricing = pricingFailures(plugin, config)
  report.failures.push(...pricing)
  if (pricing.length === 0) report.passed.push(`pricing (${plugin.models.length} models)`)
  const settings = settingsFailures(plugin)
  report.failures.push(...settings)
  if (settings.length === 0) report.passed.push(`settings forms (${plugin.channelTypes.length} channel types)`)
  report.failures.push(...toolCoverageFailures(plugin, cases))
  const tasks = taskPlatformFailures(plugin)
  report.failures.push(...tasks)
  if ((plugin.tasks?.length ?? 0) > 0 && tasks.length === 0) report.passed.push(`task platforms (${plugin.tasks?.map((platform) => platform.id).join(', ')})`)
  const realtime = realtimeFailures(plugin)
  report.failures.push(...realtime)
  const realtimeTypes = plugin.channelTypes.filter((spec) => spec.realtime).map((spec) => spec.id)
  if (realtimeTypes.length > 0 && realtime.length === 0) report.passed.push(`realtime transports (${realtimeTypes.join(', ')})`)
  const roles = roleFailures(plugin)
  report.failures.push(...roles)
  if (plugin.dialects.length > 0 && roles.length === 0) report.passed.push(`dialect roles (${plugin.dialects.map((entry) => entry.dialect).join(', ')})`)
  const media = mediaFailures(plugin)
  report.failures.push(...media)
  const mediaDialects = plugin.dialects.filter((codec) => 'media' in codec && codec.media).map((codec) => codec.dialect)
  if (mediaDialects.length > 0 && media.length === 0) report.passed.push(`media dialects (${mediaDialects.join(', ')})`)
  for (const testCase of cases) {
    const { failures, steps, notes } = await checkCase(plugin, testCase)
    report.failures.push(...failures)
    report.notes.push(...notes)
    if (failures.length === 0 && steps.length > 0) report.passed.push(`fixture "${testCase.name}": ${steps.join(', ')}`)
  }
  if (options.gateway) await gatewayStep(plugin, location.folder, cases, config, options, report)
  else report.notes.push('gateway step skipped (run with the gateway option, or the CLI without --no-gateway)')
  return report
}

/** Runs the gateway step into the report, or notes why it cannot. */
async function gatewayStep(
  plugin: PluginDefinition,
  folder: string,
  cases: ConformanceCase[],
  config: ConformanceConfig,
  options: ConformanceOptions,
  report: ConformanceReport,
): Promise<void> {
  if (!config.gateway) {
    report.notes.push('gateway step skipped: conformance.json has no "gateway" section (channelType, dialect, model)')
    return
  }
  const root = options.gatewayRoot ?? defaultGatewayRoot()
  if (!root) {
    report.failures.push('gateway: no gateway install found above the SDK; pass its folder (--gateway <folder>)')
    return
  }
  const outcome = await runGatewayStep(plugin, folder, cases, config.gateway, root)
  report.failures.push(...outcome.failures)
  report.passed.push(...outcome.passed)
}

/** The report as text for a terminal or a test failure: failures first, then notes and a count of passes. */
export function formatReport(report: ConformanceReport): string {
  const lines = [`Plugin ${report.plugin ?? '(unknown)'}: ${report.failures.length === 0 ? 'conforms' : `${report.failures.length} failure(s)`}`]
  for (const failure of report.failures) lines.push(`  FAIL ${failure}`)
  for (const passed of report.passed) lines.push(`  ok   ${passed}`)
  for (const note of report.notes) lines.push(`  note ${note}`)
  return lines.join('\n')
}
