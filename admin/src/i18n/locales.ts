/** The dashboard's languages, in menu order; `en` is the reference every other language must match. */
export const LOCALES = ['en', 'zh-CN', 'zh-TW', 'fr', 'ja'] as const

/** One of the dashboard's languages (BCP 47 tag, also written to `<html lang>`). */
export type Locale = (typeof LOCALES)[number]

/**
 * Each language's name in that language, as language pickers show them: these are data about the
 * languages, identical whatever the current language is, so they live here rather than in messages.
 */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  'zh-CN': '简体中文',
  'zh-TW': '繁體中文',
  fr: 'Français',
  ja: '日本語',
}

/** True for a tag the dashboard speaks. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** The best of our languages for a browser's preferred list (`navigator.languages`); English otherwise. */
export function matchLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('zh')) return /hant|-tw|-hk|-mo/.test(lower) ? 'zh-TW' : 'zh-CN'
    if (lower === 'fr' || lower.startsWith('fr-')) return 'fr'
    if (lower === 'ja' || lower.startsWith('ja-')) return 'ja'
    if (lower === 'en' || lower.startsWith('en-')) return 'en'
  }
  return 'en'
}
