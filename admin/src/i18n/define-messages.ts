import type { Locale } from './locales.ts'

/** The same nesting as `T`, every leaf a string: what each translation must provide. */
export type MessageShape<T> = { [K in keyof T]: T[K] extends string ? string : MessageShape<T[K]> }

/** One area's messages: English first, and every other language with exactly its keys. */
export type AreaMessages<T> = { en: T } & { [L in Exclude<Locale, 'en'>]: MessageShape<T> }

/**
 * Declares one area's messages (`messages/<area>.ts` → keys `<area>.…`). The compiler rejects a
 * language that misses or adds a key; messages.test.ts also catches empty strings and unknown keys.
 */
export function defineMessages<const T extends Record<string, unknown>>(messages: AreaMessages<T>): AreaMessages<T> {
  return messages
}
