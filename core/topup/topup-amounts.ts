import { GatewayError } from '../errors.ts'

// The arithmetic of a top-up order, with no I/O: what the user asked for (in the currency's minor
// units), what the provider charges after the discount table, and the quota the order will credit.
// Every figure is fixed when the order is created; a payment notice is only checked against them.

/** Currencies Stripe counts in whole units (no cents); every other one has two decimals here. */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'])

/** How a provider's amounts are offered and priced. */
export interface AmountRules {
  /** ISO 4217 code. */
  currency: string
  /** Amounts offered as buttons, in currency units. */
  presets: number[]
  /** Smallest custom amount, in currency units. */
  minimum: number
  /** Largest amount, in currency units. */
  maximum: number
  /** Price factors by amount: the entry with the largest `minimum` not above the amount applies (0.9 = 10 % off). */
  discounts: Array<{ minimum: number; factor: number }>
  /** Quota units credited per currency unit asked for. */
  quotaPerUnit: number
}

/** The figures of one order. */
export interface OrderQuote {
  /** Asked amount in minor units. */
  amountMinor: number
  /** Charged amount in minor units (after the discount). */
  paidMinor: number
  /** Units the order credits when paid. */
  quota: number
  currency: string
}

/** Decimal places of a currency's minor unit (0 or 2). */
export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2
}

/** Minor units → decimal text with the currency's places (`1050` USD → `10.50`), as EPay's `money` wants. */
export function minorToText(minor: number, currency: string): string {
  const digits = minorDigits(currency)
  if (digits === 0) return String(minor)
  const whole = Math.floor(minor / 100)
  return `${whole}.${String(minor % 100).padStart(2, '0')}`
}

/** Decimal text → minor units, or undefined when it is not a plain amount with at most the currency's places. */
export function textToMinor(text: string, currency: string): number | undefined {
  const digits = minorDigits(currency)
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (!match) return undefined
  const fraction = match[2] ?? ''
  if (fraction.length > digits && !/^0+$/.test(fraction.slice(digits))) return undefined
  return Number(match[1]) * 10 ** digits + Number(fraction.slice(0, digits).padEnd(digits, '0') || '0')
}

/** The discount factor for an amount in currency units (1 when no entry applies). */
export function discountFactor(amount: number, discounts: AmountRules['discounts']): number {
  let best: { minimum: number; factor: number } | undefined
  for (const entry of discounts) if (amount >= entry.minimum && (!best || entry.minimum > best.minimum)) best = entry
  return best?.factor ?? 1
}

/** Prices an asked amount; a 400 naming `amount` when it is outside the rules or has too many decimals. */
export function quoteOrder(amount: number, rules: AmountRules): OrderQuote {
  const digits = minorDigits(rules.currency)
  const amountMinor = Math.round(amount * 10 ** digits)
  if (!Number.isFinite(amount) || Math.abs(amountMinor - amount * 10 ** digits) > 1e-6) {
    throw new GatewayError(400, 'invalid_request', `amount: at most ${digits} decimal place(s) in ${rules.currency}`, { param: 'amount' })
  }
  if (amount < rules.minimum) throw new GatewayError(400, 'invalid_request', `amount: the minimum is ${rules.minimum} ${rules.currency}`, { param: 'amount' })
  if (amount > rules.maximum) throw new GatewayError(400, 'invalid_request', `amount: the maximum is ${rules.maximum} ${rules.currency}`, { param: 'amount' })
  const paidMinor = Math.round(amountMinor * discountFactor(amount, rules.discounts))
  if (paidMinor < 1) throw new GatewayError(400, 'invalid_request', 'amount: the price after discounts is zero', { param: 'amount' })
  const quota = Math.round((amountMinor * rules.quotaPerUnit) / 10 ** digits)
  // Balances are exact integers up to 2^53 units; an order past that could never be credited exactly.
  if (!Number.isSafeInteger(quota))
    throw new GatewayError(400, 'invalid_request', 'amount: the credit would exceed the largest balance the gateway keeps', { param: 'amount' })
  return { amountMinor, paidMinor, quota, currency: rules.currency.toUpperCase() }
}

/** The share of an order's quota a refund takes back: proportional to the money refunded, capped at the whole. */
export function refundQuota(quota: number, paidMinor: number, refundedMinor: number): number {
  if (paidMinor <= 0 || refundedMinor >= paidMinor) return quota
  return Math.floor((quota * Math.max(0, refundedMinor)) / paidMinor)
}
