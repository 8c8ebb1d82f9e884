import type { Locale } from './locales.ts'
import { MAX_MONEY_DIGITS, MIN_MONEY_DIGITS, usdFormatOptions } from '../api/units.ts'

/** Named date formats: `d(date, 'short' | 'long' | 'time')`. */
const datetime = {
  short: { year: 'numeric', month: 'short', day: 'numeric' },
  long: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  full: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
  time: { hour: '2-digit', minute: '2-digit' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>

/** Dollar formats `usd2` … `usd10` (at least 2 decimals, at most N): pages pick one through `money()` in api/units.ts. */
const usd: Record<string, Intl.NumberFormatOptions> = Object.fromEntries(
  Array.from({ length: MAX_MONEY_DIGITS - MIN_MONEY_DIGITS + 1 }, (_, index) => MIN_MONEY_DIGITS + index).map((digits) => [
    `usd${digits}`,
    usdFormatOptions(digits),
  ]),
)

/**
 * Named number formats: `integer`, `decimal`, `percent`, `compact` (1.2K, 1.2万) for token counts on
 * charts, and the dollar formats (money is shown with `money(n, usd, context)`, never `n(usd, …)` directly).
 */
const number: Record<string, Intl.NumberFormatOptions> = {
  integer: { maximumFractionDigits: 0 },
  decimal: { maximumFractionDigits: 2 },
  percent: { style: 'percent', maximumFractionDigits: 1 },
  compact: { notation: 'compact', maximumFractionDigits: 1 },
  ...usd,
  /** The former catch-all dollar format (2–6 decimals), kept so older code still renders; new code uses `money()`. */
  usd: usdFormatOptions(6),
}

/** Date formats per language (the same names everywhere; Intl renders each language's conventions). */
export const datetimeFormats: Record<Locale, typeof datetime> = { en: datetime, 'zh-CN': datetime, 'zh-TW': datetime, fr: datetime, ja: datetime }

/** Number formats per language. */
export const numberFormats: Record<Locale, typeof number> = { en: number, 'zh-CN': number, 'zh-TW': number, fr: number, ja: number }
