import type { Locale } from './locales.ts'

/** Named date formats: `d(date, 'short' | 'long' | 'time')`. */
const datetime = {
  short: { year: 'numeric', month: 'short', day: 'numeric' },
  long: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  full: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
  time: { hour: '2-digit', minute: '2-digit' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>

/**
 * Named number formats: `n(value, 'usd')` for money (2–6 decimals: per-token prices are small),
 * `integer`, `decimal`, `percent`, and `compact` (1.2K, 1.2万) for token counts on charts.
 */
const number = {
  integer: { maximumFractionDigits: 0 },
  decimal: { maximumFractionDigits: 2 },
  percent: { style: 'percent', maximumFractionDigits: 1 },
  compact: { notation: 'compact', maximumFractionDigits: 1 },
  usd: { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 6 },
} as const satisfies Record<string, Intl.NumberFormatOptions>

/** Date formats per language (the same names everywhere; Intl renders each language's conventions). */
export const datetimeFormats: Record<Locale, typeof datetime> = { en: datetime, 'zh-CN': datetime, 'zh-TW': datetime, fr: datetime, ja: datetime }

/** Number formats per language. */
export const numberFormats: Record<Locale, typeof number> = { en: number, 'zh-CN': number, 'zh-TW': number, fr: number, ja: number }
