import { describe, expect, test } from 'bun:test'
import { discountFactor, minorToText, quoteOrder, refundQuota, textToMinor, type AmountRules } from './topup-amounts.ts'

const usd: AmountRules = {
  currency: 'USD',
  presets: [10],
  minimum: 2,
  maximum: 1000,
  discounts: [
    { minimum: 100, factor: 0.9 },
    { minimum: 500, factor: 0.8 },
  ],
  quotaPerUnit: 500_000,
}

describe('top-up amounts', () => {
  test('the quota comes from the asked amount; the price from the discount with the largest threshold reached', () => {
    expect(quoteOrder(10, usd)).toEqual({ amountMinor: 1000, paidMinor: 1000, quota: 5_000_000, currency: 'USD' })
    expect(quoteOrder(100, usd)).toEqual({ amountMinor: 10_000, paidMinor: 9000, quota: 50_000_000, currency: 'USD' })
    expect(quoteOrder(600, usd).paidMinor).toBe(48_000)
    expect(quoteOrder(12.34, usd)).toMatchObject({ amountMinor: 1234, quota: 6_170_000 })
    expect(discountFactor(99.99, usd.discounts)).toBe(1)
  })

  test('amounts outside the rules or with too many decimals are refused naming amount', () => {
    expect(() => quoteOrder(1.99, usd)).toThrow('amount: the minimum is 2 USD')
    expect(() => quoteOrder(1000.01, usd)).toThrow('amount: the maximum is 1000 USD')
    expect(() => quoteOrder(10.001, usd)).toThrow('amount: at most 2 decimal place(s) in USD')
    expect(() => quoteOrder(10.5, { ...usd, currency: 'JPY' })).toThrow('at most 0 decimal place(s) in JPY')
    expect(() => quoteOrder(900, { ...usd, quotaPerUnit: 1e14 })).toThrow('amount: the credit would exceed the largest balance')
  })

  test('money text round-trips in minor units and refuses what is not a plain amount', () => {
    expect(minorToText(1005, 'CNY')).toBe('10.05')
    expect(minorToText(500, 'JPY')).toBe('500')
    expect(textToMinor('10.05', 'CNY')).toBe(1005)
    expect(textToMinor('10.5', 'CNY')).toBe(1050)
    expect(textToMinor('10.050', 'CNY')).toBeUndefined()
    expect(textToMinor('1e3', 'CNY')).toBeUndefined()
    expect(textToMinor('-1.00', 'CNY')).toBeUndefined()
  })

  test('a refund takes back its share of the quota, never more than the whole', () => {
    expect(refundQuota(5_000_000, 1000, 250)).toBe(1_250_000)
    expect(refundQuota(5_000_000, 1000, 1000)).toBe(5_000_000)
    expect(refundQuota(5_000_000, 1000, 5000)).toBe(5_000_000)
    expect(refundQuota(5_000_000, 1000, 0)).toBe(0)
  })
})
