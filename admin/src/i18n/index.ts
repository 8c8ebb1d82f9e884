import { createI18n } from 'vue-i18n'
import { datetimeFormats, numberFormats } from './formats.ts'
import { mergeMessageModules } from './merge-messages.ts'
import { pluralRules } from './plural-rules.ts'
import type { Locale } from './locales.ts'

// Every area's messages, found by file name: adding `messages/<area>.ts` is all a page author does.
const modules = import.meta.glob<{ default: Partial<Record<Locale, unknown>> }>('./messages/*.ts', { eager: true })

/** The dashboard's vue-i18n instance (composition API); the language is set by the preferences store. */
export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: mergeMessageModules(modules) as Record<Locale, Record<string, string>>,
  datetimeFormats,
  numberFormats,
  pluralRules,
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
})

/** Switches the language of every message and of `<html lang>`. */
export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
}
