import { describe, expect, test } from 'bun:test'
import { createI18n } from 'vue-i18n'
import logEvents from '../../i18n/messages/log-events.ts'
import { pluralRules } from '../../i18n/plural-rules.ts'
import { formatUsd, unitsToUsd } from '../../api/units.ts'
import { readLogText, translateLogText, type LogTextTools } from './log-text.ts'

// Texts the server writes into log rows, in the dashboard's language (issue 18: "server-written log
// texts untranslated"). The samples are the server's own wording (core/admin/, core/identity/, core/http/, core/bootstrap.ts…).

function tools(locale: 'en' | 'fr' | 'ja'): LogTextTools {
  const i18n = createI18n({
    legacy: false,
    locale,
    messages: { en: { logEvents: logEvents.en }, fr: { logEvents: logEvents.fr }, ja: { logEvents: logEvents.ja } },
    pluralRules,
  })
  return { t: i18n.global.t as LogTextTools['t'], money: (units) => formatUsd(unitsToUsd(units), 'balance', locale) }
}

const SAMPLES = [
  'root user created on first boot',
  'signed in with password (session cookie)',
  'signed in with password',
  'signed in with first-run setup (session cookie)',
  'signed in with GitHub (session cookie)',
  'signed in with password and a two-factor code (session cookie)',
  'first-run setup: root password replaced, username root → owner',
  'access token "ci" (read) created',
  'options changed: general, pricing',
  'channel 3 "fake openai" created',
  'channel 3 "fake openai" disabled (batch)',
  'channel 3 "fake openai": key 2 of 3 auto-disabled: HTTP 401: invalid key',
  'user 7 "ops-customer" updated: quota, group',
  'quota changed by 12500000 by root: welcome credit',
  '3 redemption code(s) "launch" of 2500000 units created',
  'redeemed code 12 for 2500000 units',
  'recovery code used; 1 left',
  'price of "gpt-4o" overridden (USD)',
  'group "vip" set: ratio 0.8',
  '2 charges (750 units) journaled before an unclean stop were written on start-up',
  'channel 4 "deepseek": balance 3.5 CNY is below the threshold 10 CNY',
  'channel 4 "deepseek": balance 12 CNY is back at or above the threshold 10 CNY',
  'channel 4 "deepseek": balance 12 CNY is no longer flagged',
  'channel 4 "deepseek": the upstream says the account cannot be used (balance 0 USD)',
]

describe('server-written log texts', () => {
  test('every wording the server writes is translated into French', () => {
    const french = tools('fr')
    const untranslated = SAMPLES.filter((sample) => translateLogText(sample, french) === undefined)
    expect(untranslated).toEqual([])
  })

  test('names, amounts and counts are carried into the translation', () => {
    const french = tools('fr')
    expect(translateLogText('signed in with password (session cookie)', french)).toBe('Connexion par mot de passe (cookie de session)')
    expect(translateLogText('channel 3 "fake openai" created', french)).toBe('Canal 3 « fake openai » créé')
    expect(translateLogText('quota changed by 12500000 by root: welcome credit', french)).toBe(
      `Solde modifié de ${formatUsd(25, 'balance', 'fr')} par root · motif : welcome credit`,
    )
    expect(translateLogText('3 redemption code(s) "launch" of 2500000 units created', french)).toBe(
      `3 codes d’échange « launch » de ${formatUsd(5, 'balance', 'fr')} chacun créés`,
    )
    expect(translateLogText('recovery code used; 1 left', french)).toBe('Code de secours utilisé ; il en reste 1')
    expect(translateLogText('channel 3 "fake openai" disabled (batch)', tools('ja'))).toBe('チャネル 3「fake openai」：無効化（一括）')
    expect(translateLogText('channel 4 "deepseek": balance 3.5 CNY is below the threshold 10 CNY', french)).toBe(
      'Canal 4 « deepseek » : solde 3.5 CNY sous le seuil 10 CNY',
    )
  })

  test('English reads as a sentence too, in dollars rather than units', () => {
    expect(translateLogText('redeemed code 12 for 2500000 units', tools('en'))).toBe('Redeemed code 12 for $5.00')
    expect(translateLogText('1 redemption code(s) "solo" of 500000 units created', tools('en'))).toBe('1 redemption code “solo” worth $1.00 created')
  })

  test('usage and error rows, and wording no rule knows, are left as stored', () => {
    const french = tools('fr')
    expect(readLogText({ type: 'error', content: 'signed in with password' }, french)).toBeUndefined()
    expect(readLogText({ type: 'system', content: 'something only a newer server says' }, french)).toBeUndefined()
    expect(readLogText({ type: 'login', content: null }, french)).toBeUndefined()
  })
})
