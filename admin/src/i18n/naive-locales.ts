import { dateEnUS, dateFrFR, dateJaJP, dateZhCN, dateZhTW, enUS, frFR, jaJP, zhCN, zhTW, type NDateLocale, type NLocale } from 'naive-ui'
import type { Locale } from './locales.ts'

/**
 * naive-ui's texts with its stock "Please Input" placeholder taken out: a field shows a placeholder
 * only where the page gives one that says something (an example, "any", "model default").
 */
function withoutStockPlaceholders(locale: NLocale): NLocale {
  return { ...locale, Input: { ...locale.Input, placeholder: '' }, InputNumber: { ...locale.InputNumber, placeholder: '' } }
}

/** naive-ui's own texts (pickers, pagination, empty tables) and date formats for each language. */
export const naiveLocales: Record<Locale, { locale: NLocale; dateLocale: NDateLocale }> = {
  en: { locale: withoutStockPlaceholders(enUS), dateLocale: dateEnUS },
  'zh-CN': { locale: withoutStockPlaceholders(zhCN), dateLocale: dateZhCN },
  'zh-TW': { locale: withoutStockPlaceholders(zhTW), dateLocale: dateZhTW },
  fr: { locale: withoutStockPlaceholders(frFR), dateLocale: dateFrFR },
  ja: { locale: withoutStockPlaceholders(jaJP), dateLocale: dateJaJP },
}
