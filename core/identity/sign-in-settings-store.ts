import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { AppContext } from '../app-context.ts'
import { createSettingsRowStore, type SettingsRowStore } from '../db/settings-row-store.ts'
import { GatewayError } from '../errors.ts'
import type { OAuthProviderId, SignInProviderView, SignInSettingsPatch, SignInSettingsView } from '../../schemas/admin/sign-in.ts'
import { OAUTH_PROVIDERS, type FixedOAuthProviderId } from './oauth-providers.ts'

// Sign-in configuration lives in its own row of the options table (key `sign-in`), not among the
// system options: it holds secrets (OAuth client secrets, the Telegram bot token), sealed with
// CRYPTO_SECRET, and GET /api/options returns every option as stored. Changes travel on the
// `options` change topic, so every replica reloads them.

/** The options-table key of the sign-in settings. */
const SETTINGS_KEY = 'sign-in'

function oauthApp(defaults: { authorizeUrl: string; tokenUrl: string; userInfoUrl: string }) {
  return {
    enabled: Type.Boolean({ default: false }),
    clientId: Type.String({ default: '' }),
    /** The client secret sealed with the secret box; null when none is set. */
    clientSecretSealed: Type.Union([Type.String(), Type.Null()], { default: null }),
    authorizeUrl: Type.String({ default: defaults.authorizeUrl }),
    tokenUrl: Type.String({ default: defaults.tokenUrl }),
    userInfoUrl: Type.String({ default: defaults.userInfoUrl }),
  }
}

/** The settings as stored, secrets sealed; every field has a default so older rows load. */
export const StoredSignInSettings = Type.Object({
  registrationEnabled: Type.Boolean({ default: false }),
  allowOAuthRegistration: Type.Union([Type.Boolean(), Type.Null()], { default: null }),
  publicUrl: Type.String({ default: '' }),
  github: Type.Object(oauthApp(OAUTH_PROVIDERS.github.defaults), { default: {} }),
  discord: Type.Object(oauthApp(OAUTH_PROVIDERS.discord.defaults), { default: {} }),
  linuxdo: Type.Object({ ...oauthApp(OAUTH_PROVIDERS.linuxdo.defaults), minimumTrustLevel: Type.Integer({ default: 0 }) }, { default: {} }),
  oidc: Type.Object(
    {
      enabled: Type.Boolean({ default: false }),
      displayName: Type.String({ default: 'OpenID Connect' }),
      issuerUrl: Type.String({ default: '' }),
      clientId: Type.String({ default: '' }),
      clientSecretSealed: Type.Union([Type.String(), Type.Null()], { default: null }),
      scopes: Type.String({ default: 'openid profile email' }),
    },
    { default: {} },
  ),
  telegram: Type.Object(
    {
      enabled: Type.Boolean({ default: false }),
      botName: Type.String({ default: '' }),
      botTokenSealed: Type.Union([Type.String(), Type.Null()], { default: null }),
    },
    { default: {} },
  ),
})

/** Typed stored settings. */
export type SignInSettings = Static<typeof StoredSignInSettings>
/** One fixed OAuth provider's stored settings. */
export type OAuthAppSettings = SignInSettings['github']

/** Settings with every default filled in (also repairs a partly missing stored row). */
export function normalizeSignInSettings(stored: unknown): SignInSettings {
  const base = typeof stored === 'object' && stored !== null ? structuredClone(stored) : {}
  const filled = Value.Default(StoredSignInSettings, base)
  return Value.Check(StoredSignInSettings, filled) ? filled : Value.Cast(StoredSignInSettings, filled)
}

/** A write-only secret field of a patch: undefined keeps the stored one, null removes it, text replaces it sealed. */
function nextSecret(current: string | null, given: string | null | undefined, seal: (plain: string) => string): string | null {
  if (given === undefined) return current
  return given === null ? null : seal(given)
}

/** The settings after a patch; secrets are sealed on the way in. Pure apart from `seal`. */
export function applySignInPatch(current: SignInSettings, patch: SignInSettingsPatch, seal: (plain: string) => string): SignInSettings {
  const next = structuredClone(current)
  if (patch.registrationEnabled !== undefined) next.registrationEnabled = patch.registrationEnabled
  if (patch.allowOAuthRegistration !== undefined) next.allowOAuthRegistration = patch.allowOAuthRegistration
  if (patch.publicUrl !== undefined) next.publicUrl = patch.publicUrl.replace(/\/+$/, '')
  for (const id of ['github', 'discord', 'linuxdo'] as const) {
    const given = patch[id]
    if (!given) continue
    const { clientSecret, ...fields } = given
    Object.assign(next[id], fields)
    next[id].clientSecretSealed = nextSecret(current[id].clientSecretSealed, clientSecret, seal)
  }
  if (patch.oidc) {
    const { clientSecret, ...fields } = patch.oidc
    Object.assign(next.oidc, fields)
    next.oidc.clientSecretSealed = nextSecret(current.oidc.clientSecretSealed, clientSecret, seal)
  }
  if (patch.telegram) {
    const { botToken, ...fields } = patch.telegram
    Object.assign(next.telegram, fields)
    next.telegram.botTokenSealed = nextSecret(current.telegram.botTokenSealed, botToken, seal)
  }
  return next
}

/** The first thing an enabled provider still lacks, as [field, message]; undefined when usable. */
function missingFor(settings: SignInSettings, id: OAuthProviderId | 'telegram'): [string, string] | undefined {
  if (id === 'telegram') {
    if (!settings.telegram.botName) return ['telegram.botName', 'required to enable Telegram sign-in']
    if (!settings.telegram.botTokenSealed) return ['telegram.botToken', 'required to enable Telegram sign-in']
    return undefined
  }
  const app = settings[id]
  if (id === 'oidc' && !settings.oidc.issuerUrl) return ['oidc.issuerUrl', 'required to enable OpenID Connect sign-in']
  if (!app.clientId) return [`${id}.clientId`, 'required to enable this provider']
  if (!app.clientSecretSealed) return [`${id}.clientSecret`, 'required to enable this provider']
  return undefined
}

/** The providers that can sign users in now: switched on and fully configured. */
export function activeProviders(settings: SignInSettings): Array<OAuthProviderId | 'telegram'> {
  return (['github', 'discord', 'linuxdo', 'oidc', 'telegram'] as const).filter((id) => settings[id].enabled && missingFor(settings, id) === undefined)
}

/** Refuses settings that switch a provider on without what it needs; 400 naming the field. */
export function checkSignInSettings(settings: SignInSettings): void {
  for (const id of ['github', 'discord', 'linuxdo', 'oidc', 'telegram'] as const) {
    const missing = settings[id].enabled ? missingFor(settings, id) : undefined
    if (missing) throw new GatewayError(400, 'invalid_request', `${missing[0]}: ${missing[1]}`, { param: missing[0] })
  }
}

/** Whether a first sign-in through a provider may create an account. */
export function providerRegistrationAllowed(settings: SignInSettings): boolean {
  return settings.allowOAuthRegistration ?? settings.registrationEnabled
}

/** The address provider callbacks go to: the configured public URL, else the request's own origin. */
export function callbackUrl(settings: SignInSettings, requestOrigin: string, provider: OAuthProviderId): string {
  return `${settings.publicUrl || requestOrigin}/api/auth/oauth/${provider}/callback`
}

/** The settings as admins see them: secrets only as "set or not". */
export function toSignInSettingsView(settings: SignInSettings, requestOrigin: string): SignInSettingsView {
  const app = (id: FixedOAuthProviderId) => {
    const { clientSecretSealed, ...fields } = settings[id]
    return { ...fields, clientSecretSet: clientSecretSealed !== null, callbackUrl: callbackUrl(settings, requestOrigin, id) }
  }
  const { clientSecretSealed: oidcSecret, ...oidc } = settings.oidc
  const { botTokenSealed, ...telegram } = settings.telegram
  return {
    registrationEnabled: settings.registrationEnabled,
    allowOAuthRegistration: settings.allowOAuthRegistration,
    publicUrl: settings.publicUrl,
    github: app('github'),
    discord: app('discord'),
    linuxdo: { ...app('linuxdo'), minimumTrustLevel: settings.linuxdo.minimumTrustLevel },
    oidc: { ...oidc, clientSecretSet: oidcSecret !== null, callbackUrl: callbackUrl(settings, requestOrigin, 'oidc') },
    telegram: { ...telegram, botTokenSet: botTokenSealed !== null },
  }
}

/** The sign-in part of GET /api/status: enabled methods and the login page's buttons (nothing secret). */
export function signInStatus(settings: SignInSettings): { signInMethods: string[]; signInProviders: SignInProviderView[]; registrationEnabled: boolean } {
  const active = activeProviders(settings)
  const signInProviders = active.map((id): SignInProviderView => {
    if (id === 'telegram') return { id, name: 'Telegram', kind: 'telegram', botName: settings.telegram.botName }
    const name = id === 'oidc' ? settings.oidc.displayName : OAUTH_PROVIDERS[id].name
    return { id, name, kind: 'oauth', startUrl: `/api/auth/oauth/${id}/start` }
  })
  return { signInMethods: ['password', ...active], signInProviders, registrationEnabled: settings.registrationEnabled }
}

/** Reads and writes the sign-in settings, cached in memory until a change notice arrives. */
export type SignInSettingsStore = SettingsRowStore<SignInSettings, SignInSettingsPatch>

/** The store over the options table; loads on first use. */
export function createSignInSettingsStore(context: AppContext): SignInSettingsStore {
  return createSettingsRowStore(context, { key: SETTINGS_KEY, normalize: normalizeSignInSettings, apply: applySignInPatch, check: checkSignInSettings })
}
