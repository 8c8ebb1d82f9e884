import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { AppContext } from '../app-context.ts'
import { createSettingsRowStore, type SettingsRowStore } from '../db/settings-row-store.ts'
import { GatewayError } from '../errors.ts'
import type { TopupSettingsPatch, TopupSettingsView } from '../../schemas/admin/topups.ts'
import { TopupAmountRules, EpayMethod } from '../../schemas/admin/topups.ts'

// Top-up configuration lives in its own row of the options table (key `topup`), like the sign-in
// settings: it holds secrets (the Stripe secret key and webhook secret, the EPay merchant key) sealed
// with CRYPTO_SECRET, which GET /api/options must never return. Changes travel on the `options` topic.

/** The options-table key of the top-up settings. */
const SETTINGS_KEY = 'topup'

const SealedSecret = Type.Union([Type.String(), Type.Null()], { default: null })

function amountDefaults(currency: string, quotaPerUnit: number, presets: number[]) {
  return { default: { currency, presets, minimum: presets[0] ?? 1, maximum: 10_000, discounts: [], quotaPerUnit } }
}

/** The settings as stored, secrets sealed; every field has a default so older rows load. */
export const StoredTopupSettings = Type.Object({
  stripe: Type.Object(
    {
      enabled: Type.Boolean({ default: false }),
      secretKeySealed: SealedSecret,
      webhookSecretSealed: SealedSecret,
      apiUrl: Type.String({ default: '' }),
      productName: Type.String({ default: 'Account top-up' }),
      amounts: Type.Unsafe<Static<typeof TopupAmountRules>>({ ...TopupAmountRules, ...amountDefaults('USD', 500_000, [5, 10, 20, 50, 100]) }),
    },
    { default: {} },
  ),
  epay: Type.Object(
    {
      enabled: Type.Boolean({ default: false }),
      gatewayUrl: Type.String({ default: '' }),
      merchantId: Type.String({ default: '' }),
      merchantKeySealed: SealedSecret,
      methods: Type.Array(EpayMethod, {
        default: [
          { type: 'alipay', name: 'Alipay' },
          { type: 'wxpay', name: 'WeChat Pay' },
        ],
      }),
      // New API's default price: 7.3 CNY buys 1 USD of quota (500,000 units).
      amounts: Type.Unsafe<Static<typeof TopupAmountRules>>({ ...TopupAmountRules, ...amountDefaults('CNY', 68_493, [10, 50, 100, 200, 500]) }),
    },
    { default: {} },
  ),
})

/** Typed stored settings. */
export type TopupSettings = Static<typeof StoredTopupSettings>

/** Settings with every default filled in (also repairs a partly missing stored row). */
export function normalizeTopupSettings(stored: unknown): TopupSettings {
  const base = typeof stored === 'object' && stored !== null ? structuredClone(stored) : {}
  const filled = Value.Default(StoredTopupSettings, base)
  return Value.Check(StoredTopupSettings, filled) ? filled : Value.Cast(StoredTopupSettings, filled)
}

/** A write-only secret of a patch: undefined keeps the stored one, null removes it, text replaces it sealed. */
function nextSecret(current: string | null, given: string | null | undefined, seal: (plain: string) => string): string | null {
  if (given === undefined) return current
  return given === null ? null : seal(given)
}

/** The settings after a patch; secrets are sealed on the way in. Pure apart from `seal`. */
export function applyTopupPatch(current: TopupSettings, patch: TopupSettingsPatch, seal: (plain: string) => string): TopupSettings {
  const next = structuredClone(current)
  if (patch.stripe) {
    const { secretKey, webhookSecret, ...fields } = patch.stripe
    Object.assign(next.stripe, fields)
    if (fields.apiUrl !== undefined) next.stripe.apiUrl = fields.apiUrl.replace(/\/+$/, '')
    next.stripe.secretKeySealed = nextSecret(current.stripe.secretKeySealed, secretKey, seal)
    next.stripe.webhookSecretSealed = nextSecret(current.stripe.webhookSecretSealed, webhookSecret, seal)
  }
  if (patch.epay) {
    const { merchantKey, ...fields } = patch.epay
    Object.assign(next.epay, fields)
    next.epay.merchantKeySealed = nextSecret(current.epay.merchantKeySealed, merchantKey, seal)
  }
  return next
}

/** Refuses settings that switch a provider on without what it needs, or amounts that contradict each other; 400 naming the field. */
export function checkTopupSettings(settings: TopupSettings): void {
  const refuse = (field: string, message: string) => {
    throw new GatewayError(400, 'invalid_request', `${field}: ${message}`, { param: field })
  }
  for (const id of ['stripe', 'epay'] as const) {
    const { amounts } = settings[id]
    if (amounts.minimum > amounts.maximum) refuse(`${id}.amounts.minimum`, 'must not be above the maximum')
    const outside = amounts.presets.find((preset) => preset < amounts.minimum || preset > amounts.maximum)
    if (outside !== undefined) refuse(`${id}.amounts.presets`, `${outside} is outside the minimum and maximum`)
  }
  if (settings.stripe.enabled) {
    if (!settings.stripe.secretKeySealed) refuse('stripe.secretKey', 'required to enable Stripe')
    if (!settings.stripe.webhookSecretSealed) refuse('stripe.webhookSecret', 'required to enable Stripe')
  }
  if (settings.epay.enabled) {
    if (!settings.epay.gatewayUrl) refuse('epay.gatewayUrl', 'required to enable EPay')
    if (!settings.epay.merchantId) refuse('epay.merchantId', 'required to enable EPay')
    if (!settings.epay.merchantKeySealed) refuse('epay.merchantKey', 'required to enable EPay')
    if (settings.epay.methods.length === 0) refuse('epay.methods', 'at least one payment type is required to enable EPay')
  }
}

/** The addresses providers call back, from the public URL (or the request's origin). */
export function callbackUrls(publicOrigin: string): { stripeWebhook: string; epayNotify: string } {
  return { stripeWebhook: `${publicOrigin}/api/topups/stripe/webhook`, epayNotify: `${publicOrigin}/api/topups/epay/notify` }
}

/** The settings as admins see them: secrets only as "set or not". */
export function toTopupSettingsView(settings: TopupSettings, publicOrigin: string): TopupSettingsView {
  const { secretKeySealed, webhookSecretSealed, ...stripe } = settings.stripe
  const { merchantKeySealed, ...epay } = settings.epay
  const urls = callbackUrls(publicOrigin)
  return {
    stripe: { ...stripe, secretKeySet: secretKeySealed !== null, webhookSecretSet: webhookSecretSealed !== null, webhookUrl: urls.stripeWebhook },
    epay: { ...epay, merchantKeySet: merchantKeySealed !== null, notifyUrl: urls.epayNotify },
  }
}

/** Reads and writes the top-up settings, cached in memory until a change notice arrives. */
export type TopupSettingsStore = SettingsRowStore<TopupSettings, TopupSettingsPatch>

/** The store over the options table; loads on first use. */
export function createTopupSettingsStore(context: AppContext): TopupSettingsStore {
  return createSettingsRowStore(context, { key: SETTINGS_KEY, normalize: normalizeTopupSettings, apply: applyTopupPatch, check: checkTopupSettings })
}
