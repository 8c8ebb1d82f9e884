import { UNITS_PER_USD } from './price-usage.ts'

// Amounts of quota put in words for messages people read (errors, log texts): dollars, as the
// dashboard shows money, with the exact units in brackets, as New API operators count them.

/** Which way a shown amount is rounded: a balance down (never more than is there), a need up. */
export type Rounding = 'down' | 'up'

/** Decimals for an amount: cents from a cent up; below a cent two significant digits (at most 6, one unit's precision). */
function decimalsFor(usd: number): number {
  if (usd === 0 || usd >= 0.01) return 2
  return Math.min(6, 1 - Math.floor(Math.log10(usd)))
}

/** Quota units as US dollars, e.g. `$12.34`, `$0.0016`, `$1,000,000.00`. */
export function unitsAsUsd(units: number, rounding: Rounding = 'down'): string {
  const usd = Math.max(0, units) / UNITS_PER_USD
  const decimals = decimalsFor(usd)
  const scale = 10 ** decimals
  const scaled = usd * scale
  // The nudge keeps float noise (0.29 × 100 = 28.999…) from moving an exact amount.
  const rounded = (rounding === 'down' ? Math.floor(scaled + 1e-6) : Math.ceil(scaled - 1e-6)) / scale
  return `$${rounded.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals })}`
}

/** Dollars with the exact units in brackets: `$0.0016 (800 units)`. */
export function moneyWithUnits(units: number, rounding: Rounding = 'down'): string {
  return `${unitsAsUsd(units, rounding)} (${units.toLocaleString('en-US')} ${units === 1 ? 'unit' : 'units'})`
}
