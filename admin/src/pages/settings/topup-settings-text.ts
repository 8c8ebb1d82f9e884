import type { ResponseOf } from '../../api/types.ts'

// The Top-up settings tab edits lists as one line of text each; these turn them back and forth.

/** The top-up settings as GET /api/topups/settings answers. */
export type TopupSettings = ResponseOf<'getTopupSettings'>

/** A provider's amount rules. */
export type AmountRules = TopupSettings['stripe']['amounts']

/** `[5, 10, 20]` ↔ `5, 10, 20`. */
export function numbersToText(values: number[]): string {
  return values.join(', ')
}

/** `5, 10, 20` → numbers (empty parts skipped); undefined when a part is not a number. */
export function textToNumbers(text: string): number[] | undefined {
  const parts = text.split(/[,\s]+/).filter((part) => part !== '')
  const values = parts.map(Number)
  return values.every((value) => Number.isFinite(value)) ? values : undefined
}

/** `[{minimum: 100, factor: 0.9}]` ↔ `100:0.9`. */
export function discountsToText(discounts: AmountRules['discounts']): string {
  return discounts.map((entry) => `${entry.minimum}:${entry.factor}`).join(', ')
}

/** `100:0.9, 500:0.8` → entries; undefined when a part is not `amount:factor`. */
export function textToDiscounts(text: string): AmountRules['discounts'] | undefined {
  const entries: AmountRules['discounts'] = []
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '')) {
    const [minimum, factor, extra] = part.split(':').map((piece) => Number(piece.trim()))
    if (extra !== undefined || minimum === undefined || factor === undefined || !Number.isFinite(minimum) || !Number.isFinite(factor)) return undefined
    entries.push({ minimum, factor })
  }
  return entries
}

/** `[{type: 'alipay', name: 'Alipay'}]` ↔ `alipay:Alipay`. */
export function methodsToText(methods: TopupSettings['epay']['methods']): string {
  return methods.map((method) => `${method.type}:${method.name}`).join(', ')
}

/** `alipay:Alipay, wxpay:WeChat Pay` → methods (a part without a name is named by its type). */
export function textToMethods(text: string): TopupSettings['epay']['methods'] {
  return text
    .split(',')
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '')
    .map((piece) => {
      const [type = '', ...name] = piece.split(':')
      return { type: type.trim(), name: name.join(':').trim() || type.trim() }
    })
}
