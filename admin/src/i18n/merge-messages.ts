import { LOCALES, type Locale } from './locales.ts'

/** Messages of every area, per language, as vue-i18n takes them. */
export type LocaleMessages = Record<Locale, Record<string, unknown>>

/** `messages/not-found.ts` → `notFound`: the file name, camel-cased, is the area's namespace. */
export function namespaceOf(path: string): string {
  const file = path.split('/').pop() ?? path
  return file.replace(/\.ts$/, '').replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
}

/** Merges `{ path: { default: { en, 'zh-CN', … } } }` (import.meta.glob's shape) into one tree per language. */
export function mergeMessageModules(modules: Record<string, { default: Partial<Record<Locale, unknown>> }>): LocaleMessages {
  const merged = Object.fromEntries(LOCALES.map((locale) => [locale, {}])) as LocaleMessages
  for (const [path, module] of Object.entries(modules)) {
    const namespace = namespaceOf(path)
    for (const locale of LOCALES) merged[locale][namespace] = module.default[locale] ?? {}
  }
  return merged
}
