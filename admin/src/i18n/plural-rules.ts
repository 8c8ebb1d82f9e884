import type { Locale } from './locales.ts'

// Which form of a plural message (`'1 key | 2 keys'`) a count takes, where a language differs from
// vue-i18n's default (which treats 0 as plural, as English does).

/** French takes the singular for 0 and 1 ("0 clé", "1 clé", "2 clés"). */
export function frenchPlural(choice: number, choicesLength: number): number {
  const count = Math.abs(choice)
  if (choicesLength === 2) return count >= 2 ? 1 : 0
  // Three forms (zero | one | many) are written in order.
  return Math.min(count, 2)
}

/** The plural rules vue-i18n is given; languages without one use its default. */
export const pluralRules: Partial<Record<Locale, (choice: number, choicesLength: number) => number>> = { fr: frenchPlural }
