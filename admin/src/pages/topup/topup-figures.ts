import type { ResponseOf } from '../../api/types.ts'

/** One way to pay, as GET /api/topups/options lists it. */
export type TopupMethod = ResponseOf<'getTopupOptions'>['methods'][number]

/** What the page shows before paying: the price after the discount table and the quota the order will add. */
export interface TopupPreview {
  price: number
  quota: number
  discounted: boolean
}

/** The same arithmetic as the gateway's quoteOrder (core/topup/topup-amounts.ts), for the preview only: the order's own figures are the gateway's. */
export function previewTopup(amount: number, rules: TopupMethod['amounts']): TopupPreview {
  let factor = 1
  let best = -1
  for (const entry of rules.discounts)
    if (amount >= entry.minimum && entry.minimum > best) {
      best = entry.minimum
      factor = entry.factor
    }
  const digits = ZERO_DECIMAL.has(rules.currency.toUpperCase()) ? 0 : 2
  const minor = Math.round(amount * 10 ** digits)
  return { price: Math.round(minor * factor) / 10 ** digits, quota: Math.round((minor * rules.quotaPerUnit) / 10 ** digits), discounted: factor < 1 }
}

/** Currencies counted in whole units (as the gateway and Stripe count them). */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'])

/** Whether an amount may be ordered under the method's rules (the gateway checks again). */
export function amountAllowed(amount: number | null, rules: TopupMethod['amounts']): amount is number {
  return amount !== null && Number.isFinite(amount) && amount >= rules.minimum && amount <= rules.maximum
}

/** The order number the page was sent back with: `order` (Stripe's success/cancel URL) or EPay's `out_trade_no`. */
export function returnedOrder(query: Record<string, unknown>): string | undefined {
  const value = typeof query.order === 'string' ? query.order : typeof query.out_trade_no === 'string' ? query.out_trade_no : undefined
  return value && /^TU[A-Z0-9]{6,30}$/.test(value) ? value : undefined
}

/** Sends the browser to the provider: follows a link, or posts a form (EPay's submit.php). */
export function goToProvider(redirect: ResponseOf<'createTopup'>['redirect']): void {
  if (redirect.method === 'GET') {
    window.location.assign(redirect.url)
    return
  }
  const form = document.createElement('form')
  form.method = 'POST'
  form.action = redirect.url
  for (const [name, value] of Object.entries(redirect.fields)) {
    const input = document.createElement('input')
    input.type = 'hidden'
    input.name = name
    input.value = value
    form.append(input)
  }
  document.body.append(form)
  form.submit()
}
