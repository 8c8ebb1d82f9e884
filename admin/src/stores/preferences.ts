import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { useOsTheme } from 'naive-ui'
import { applyLocale } from '../i18n/index.ts'
import { isLocale, matchLocale, type Locale } from '../i18n/locales.ts'

/** Light, dark, or whatever the operating system uses. */
export type ThemeChoice = 'light' | 'dark' | 'system'

/** localStorage keys; changing them forgets everyone's choice. */
export const STORAGE_KEYS = { theme: 'hanggent.theme', locale: 'hanggent.locale' } as const

function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null
  }
}

function remember(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value)
  } catch {
    // Private windows may refuse storage; the choice then lasts for this visit.
  }
}

function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === 'light' || value === 'dark' || value === 'system'
}

/** The visitor's theme and language, remembered in localStorage and applied to the page. */
export const usePreferencesStore = defineStore('preferences', () => {
  const savedTheme = stored(STORAGE_KEYS.theme)
  const savedLocale = stored(STORAGE_KEYS.locale)
  const theme = ref<ThemeChoice>(isThemeChoice(savedTheme) ? savedTheme : 'system')
  const locale = ref<Locale>(isLocale(savedLocale) ? savedLocale : matchLocale(navigator.languages ?? [navigator.language]))
  const osTheme = useOsTheme()
  const dark = computed(() => (theme.value === 'system' ? osTheme.value === 'dark' : theme.value === 'dark'))

  watch(
    locale,
    (value) => {
      applyLocale(value)
      remember(STORAGE_KEYS.locale, value)
    },
    { immediate: true },
  )
  watch(theme, (value) => remember(STORAGE_KEYS.theme, value))
  watch(
    dark,
    (value) => {
      document.documentElement.dataset.theme = value ? 'dark' : 'light'
      document.documentElement.style.colorScheme = value ? 'dark' : 'light'
    },
    { immediate: true },
  )

  return { theme, locale, dark }
})
