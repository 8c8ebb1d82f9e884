// Pure helpers for the channel list's balance column: how long ago a reading is, and how to
// word the amount's precision. No Vue, so they are tested on their own.

/** A duration as Intl.RelativeTimeFormat takes it: a negative value in the largest fitting unit. */
export interface RelativeTime {
  value: number
  unit: Intl.RelativeTimeFormatUnit
}

const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/** How long before `now` the instant `then` was, in whole days, hours or minutes (under a minute: 0 seconds, worded "now"). */
export function relativeTime(then: Date, now: Date): RelativeTime {
  const elapsed = Math.max(0, now.getTime() - then.getTime())
  for (const [unit, size] of STEPS) if (elapsed >= size) return { value: -Math.floor(elapsed / size), unit }
  return { value: 0, unit: 'second' }
}

/** "5 minutes ago", "yesterday", "now" in the given language. */
export function formatRelativeTime(then: Date, now: Date, locale: string): string {
  const { value, unit } = relativeTime(then, now)
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(value, unit)
}

/** Intl options for an upstream balance: the vendor's currency, to the cent (a few decimals more under one unit). */
export function balanceFormatOptions(amount: number, currency: string): Intl.NumberFormatOptions {
  const small = Math.abs(amount) > 0 && Math.abs(amount) < 1
  return { style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: small ? 4 : 2 }
}

/** A balance reader as the channel-types list describes it. */
export interface BalanceReaderInfo {
  id: string
  label: string
  hosts: string[]
}

/** The reader a channel without `balanceSource` gets from its base URL's host (the gateway's own rule), if any. */
export function readerForHost(readers: readonly BalanceReaderInfo[], baseUrl: string): BalanceReaderInfo | undefined {
  let host: string
  try {
    host = new URL(baseUrl).hostname.toLowerCase()
  } catch {
    return undefined
  }
  return readers.find((reader) => reader.hosts.some((pattern) => host === pattern || host.endsWith(`.${pattern}`)))
}
