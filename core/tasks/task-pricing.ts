import { createModelLookup, taskPriceUsd, type TaskPlatform, type TaskPrice, type TaskSubmission } from '@hanggent/plugin-sdk'
import type { SystemOptionValues } from '../options.ts'
import { UNITS_PER_USD } from '../billing/price-usage.ts'

// What a task costs: the admin's USD override for the priced name (the same `modelPrices` option model
// prices use, `perCall`), else the platform's declared price for the submission's mode, resolution and
// seconds; times the group ratio, in the ledger's integer units. Pure.

/** A submission's price and where it came from, kept in the consume log row. */
export interface TaskCharge {
  /** USD before the group ratio. */
  baseUsd: number
  /** The group ratio applied. */
  groupRatio: number
  /** Units to charge. */
  units: number
  /** `override` (admin's price) or `plugin` (the platform's declared price). */
  source: 'override' | 'plugin'
}

/** The declared price of a priced name on a platform: exact key first, then the longest `prefix*`. */
export function declaredTaskPrice(platform: TaskPlatform, model: string): TaskPrice | undefined {
  const lookup = createModelLookup<TaskPrice>()
  for (const [key, price] of Object.entries(platform.prices)) lookup.add(key, price)
  return lookup.find(model)
}

/**
 * Prices a submission; undefined when neither the admin nor the platform prices its name (the core
 * refuses it unless self-use mode is on). A submission marked `charged: false` costs nothing.
 */
export function priceTask(
  options: Pick<SystemOptionValues, 'modelPrices' | 'groupRatios'>,
  platform: TaskPlatform,
  submission: TaskSubmission,
  group: string,
): TaskCharge | undefined {
  const groupRatio = options.groupRatios[group] ?? 1
  if (submission.charged === false) return { baseUsd: 0, groupRatio, units: 0, source: 'plugin' }
  const override = options.modelPrices[submission.model]
  const declared = declaredTaskPrice(platform, submission.model)
  let baseUsd: number
  let source: TaskCharge['source']
  if (override?.perCall !== undefined) {
    baseUsd = override.perCall
    source = 'override'
  } else if (declared) {
    baseUsd = taskPriceUsd(declared, submission)
    source = 'plugin'
  } else return undefined
  return { baseUsd, groupRatio, units: usdToUnits(baseUsd * groupRatio), source }
}

/** USD as ledger units, rounded to the nearest unit as relay prices are (a priced task costs at least one). */
export function usdToUnits(usd: number): number {
  const amount = usd * UNITS_PER_USD
  return amount <= 0 ? 0 : Math.max(1, Math.round(amount - 1e-9))
}
