import type { SystemOptionValues } from '../options.ts'
import { parseJsonObject, toNumber, toText } from './legacy-values.ts'

// One API / New API keep options as key → text rows; the billing ones become this gateway's typed
// options. Ratios keep their meaning exactly: a model ratio of 1 is 0.002 USD per 1K input tokens
// here too (core/billing/resolve-price.ts), and quota units are the same 500,000 per USD.
// see https://github.com/QuantumNous/new-api/blob/main/setting/ratio_setting/model_ratio.go

/** The options an import sets, each only where this gateway has no value of its own. */
export interface LegacyOptions {
  modelRatios: SystemOptionValues['modelRatios']
  modelPrices: SystemOptionValues['modelPrices']
  groupRatios: SystemOptionValues['groupRatios']
  newUserQuota?: number
  retryTimes?: number
  /** Multiplier from the source's quota units to 500,000 per USD (from QuotaPerUnit). */
  unitScale: number
  /** Option keys read but not carried over (names only: values may be secrets). */
  notCarried: string[]
  warnings: string[]
}

const USED_KEYS = new Set([
  'ModelRatio',
  'CompletionRatio',
  'CacheRatio',
  'CreateCacheRatio',
  'GroupRatio',
  'ModelPrice',
  'QuotaPerUnit',
  'QuotaForNewUser',
  'RetryTimes',
])

/** A `{name: number}` option, dropping what is not a number. */
function numberMap(options: Map<string, string>, key: string, warnings: string[]): Record<string, number> {
  const parsed = parseJsonObject(options.get(key))
  if (parsed === null) warnings.push(`option ${key} is not a JSON object and was not carried over`)
  const map: Record<string, number> = {}
  for (const [name, value] of Object.entries(parsed ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) map[name] = value
    else warnings.push(`option ${key}: "${name}" is not a non-negative number and was dropped`)
  }
  return map
}

/** Converts the `options` rows (key → value text). */
export function convertOptions(rows: Array<{ key: unknown; value: unknown }>): LegacyOptions {
  const options = new Map(rows.map((row) => [toText(row.key), toText(row.value)]))
  const warnings: string[] = []
  const quotaPerUnit = toNumber(options.get('QuotaPerUnit'), 500_000)
  const unitScale = quotaPerUnit > 0 ? 500_000 / quotaPerUnit : 1
  if (unitScale !== 1)
    warnings.push(`QuotaPerUnit is ${quotaPerUnit}: quota amounts and model ratios are scaled by ${unitScale} to keep their USD value at 500,000 units per USD`)

  const modelRatio = numberMap(options, 'ModelRatio', warnings)
  const completionRatio = numberMap(options, 'CompletionRatio', warnings)
  const cacheRatio = numberMap(options, 'CacheRatio', warnings)
  const cacheWriteRatio = numberMap(options, 'CreateCacheRatio', warnings)
  const modelRatios: LegacyOptions['modelRatios'] = {}
  for (const [model, ratio] of Object.entries(modelRatio)) {
    modelRatios[model] = {
      modelRatio: ratio * unitScale,
      ...(completionRatio[model] === undefined ? {} : { completionRatio: completionRatio[model] }),
      ...(cacheRatio[model] === undefined ? {} : { cacheRatio: cacheRatio[model] }),
      ...(cacheWriteRatio[model] === undefined ? {} : { cacheWriteRatio: cacheWriteRatio[model] }),
    }
  }
  const orphans = Object.keys(completionRatio).filter((model) => modelRatio[model] === undefined)
  if (orphans.length > 0)
    warnings.push(
      `CompletionRatio names ${orphans.length} model(s) without a ModelRatio (${orphans.slice(0, 5).join(', ')}${orphans.length > 5 ? ', …' : ''}): not carried over`,
    )
  if (!options.has('ModelRatio'))
    warnings.push("the source has no ModelRatio option: its built-in default ratios are not carried over (this gateway's plugin list prices apply)")

  const modelPrices: LegacyOptions['modelPrices'] = {}
  for (const [model, price] of Object.entries(numberMap(options, 'ModelPrice', warnings))) modelPrices[model] = { perCall: price }

  const result: LegacyOptions = { modelRatios, modelPrices, groupRatios: numberMap(options, 'GroupRatio', warnings), unitScale, warnings, notCarried: [] }
  if (options.has('QuotaForNewUser')) result.newUserQuota = Math.max(0, Math.round(toNumber(options.get('QuotaForNewUser')) * unitScale))
  if (options.has('RetryTimes')) result.retryTimes = Math.min(10, Math.max(0, Math.round(toNumber(options.get('RetryTimes')))))
  result.notCarried = [...options.keys()].filter((key) => !USED_KEYS.has(key)).sort()
  return result
}
