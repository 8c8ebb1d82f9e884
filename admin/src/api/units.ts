// The gateway's money unit, for every page that shows or takes amounts: quota is integer units,
// 500,000 to the US dollar (schemas/admin/common.ts `Units`; GET /api/pricing reports the same number).

/** Quota units in one US dollar. */
export const UNITS_PER_USD = 500_000

/** Quota units (the API's integers, sometimes typed `string | number`) as USD. */
export function unitsToUsd(units: number | string | null | undefined): number {
  return Number(units ?? 0) / UNITS_PER_USD
}

/** USD as whole quota units (rounded to the nearest unit). */
export function usdToUnits(usd: number | null | undefined): number {
  return Math.round((usd ?? 0) * UNITS_PER_USD)
}
