import { dateEnUS, dateFrFR, dateJaJP, dateZhCN, dateZhTW, enUS, frFR, jaJP, zhCN, zhTW, type NDateLocale, type NLocale } from 'naive-ui'
import type { Locale } from './locales.ts'

/** naive-ui's own texts (pickers, pagination, empty tables) and date formats for each language. */
export const naiveLocales: Record<Locale, { locale: NLocale; dateLocale: NDateLocale }> = {
  en: { locale: enUS, dateLocale: dateEnUS },
  'zh-CN': { locale: zhCN, dateLocale: dateZhCN },
  'zh-TW': { locale: zhTW, dateLocale: dateZhTW },
  fr: { locale: frFR, dateLocale: dateFrFR },
  ja: { locale: jaJP, dateLocale: dateJaJP },
}
