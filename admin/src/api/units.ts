// The gateway's money unit, for every page that shows or takes amounts: quota is integer units,
// 500,000 to the US dollar (schemas/admin/common.ts `Units`; GET /api/pricing reports the same number).
// Also how precisely an amount is shown where: a balance to the cent, a charge or a price with
// enough significant digits to tell it from its neighbours.

/** Quota units in one US dollar. */
export const UNITS_PER_USD = 500_000

/** Quota units (the API's integers) as USD; none counts as 0. */
export function unitsToUsd(units: number | null | undefined): number {
  return (units ?? 0) / UNITS_PER_USD
}

/** USD as whole quota units (rounded to the nearest unit). */
export function usdToUnits(usd: number | null | undefined): number {
  return Math.round((usd ?? 0) * UNITS_PER_USD)
}

/**
 * Where an amount is shown, which decides its precision:
 * - `balance`: money held or spent (balances, remaining, used, top-ups): cents, rounded down so a
 *   balance never looks larger than it is; an amount under a cent keeps two significant digits.
 * - `cost`: what one call was charged: four significant digits, at most 6 decimals (one quota
 *   unit is $0.000002, so 6 decimals is exact).
 * - `price`: a rate (USD per 1M tokens, per call) or a worked-out cost before rounding to units:
 *   four significant digits, up to 10 decimals.
 */
export type MoneyContext = 'balance' | 'cost' | 'price'

/** Fewest and most decimals shown in any context. */
export const MIN_MONEY_DIGITS = 2
export const MAX_MONEY_DIGITS = 10

const RULES: Record<MoneyContext, { significant: number; maxDigits: number }> = {
  balance: { significant: 2, maxDigits: 6 },
  cost: { significant: 4, maxDigits: 6 },
  price: { significant: 4, maxDigits: MAX_MONEY_DIGITS },
}

/** Decimals to show for an amount in a context (between MIN_MONEY_DIGITS and the context's maximum). */
export function moneyDigits(usd: number, context: MoneyContext): number {
  const magnitude = Math.abs(usd)
  if (!Number.isFinite(magnitude) || magnitude === 0) return MIN_MONEY_DIGITS
  const rule = RULES[context]
  // A balance of a cent or more is shown to the cent, whatever its size.
  if (context === 'balance' && magnitude >= 0.01) return MIN_MONEY_DIGITS
  const wanted = rule.significant - 1 - Math.floor(Math.log10(magnitude))
  return Math.min(rule.maxDigits, Math.max(MIN_MONEY_DIGITS, wanted))
}

/** The amount to format: balances are cut (not rounded) to the decimals shown. */
export function moneyValue(usd: number, context: MoneyContext): number {
  if (context !== 'balance' || !Number.isFinite(usd)) return usd
  const scale = 10 ** moneyDigits(usd, context)
  // The small nudge keeps 0.29 × 100 = 28.999… from losing a cent.
  return Math.trunc(usd * scale + Math.sign(usd) * 1e-6) / scale
}

/** The name of the vue-i18n number format showing up to `digits` decimals (i18n/formats.ts defines usd2…usd10). */
export type UsdFormatName = `usd${number}`

/** The named format for an amount in a context. */
export function usdFormatName(usd: number, context: MoneyContext): UsdFormatName {
  return `usd${moneyDigits(usd, context)}`
}

/** Intl options of the dollar format with at least two and at most `digits` decimals. */
export function usdFormatOptions(digits: number): Intl.NumberFormatOptions {
  return { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol', minimumFractionDigits: MIN_MONEY_DIGITS, maximumFractionDigits: digits }
}

/** vue-i18n's `n` as the pages have it: a value and a named format. */
export type NamedNumberFormatter = (value: number, format: string) => string

/** An amount of USD in the page's language at its context's precision: `money(n, 2.5, 'price')`. */
export function money(n: NamedNumberFormatter, usd: number, context: MoneyContext): string {
  return n(moneyValue(usd, context), usdFormatName(usd, context))
}

/** Quota units as USD at a context's precision: `unitsMoney(n, user.quota, 'balance')`. */
export function unitsMoney(n: NamedNumberFormatter, units: number | null | undefined, context: MoneyContext): string {
  return money(n, unitsToUsd(units), context)
}

/** The same text `money` gives, without vue-i18n (tests, and anything outside a component). */
export function formatUsd(usd: number, context: MoneyContext, locale = 'en'): string {
  return new Intl.NumberFormat(locale, usdFormatOptions(moneyDigits(usd, context))).format(moneyValue(usd, context))
}
