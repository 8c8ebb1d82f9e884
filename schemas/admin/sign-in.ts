import { t, type Static } from 'elysia'
import { Timestamp } from './common.ts'
import { Email, LoginResponse, Password, Username } from './users.ts'

// Sign-in beyond passwords: provider configuration (admins), registration, linked identities,
// Telegram Login and the second step of a provider sign-in for users with two-factor sign-in on.

/** The providers a user can sign in with besides a password. */
export const ProviderId = t.Union([t.Literal('github'), t.Literal('discord'), t.Literal('linuxdo'), t.Literal('oidc'), t.Literal('telegram')])
/** Typed provider id. */
export type ProviderId = Static<typeof ProviderId>
/** The providers that sign in through an OAuth 2.0 redirect. */
export type OAuthProviderId = Exclude<ProviderId, 'telegram'>

const httpUrl = (description?: string) =>
  t.String({ maxLength: 2048, pattern: '^https?://[^\\s/?#]+[^\\s]*$', error: 'must be an http(s) URL', ...(description ? { description } : {}) })
const ClientId = t.String({ maxLength: 256, pattern: '^\\S*$', error: 'must not contain spaces' })
const ClientSecret = t.Union([t.String({ minLength: 1, maxLength: 1024 }), t.Null()], {
  description: 'Write-only: stored encrypted and never shown; omit to keep the stored one, null to remove it',
})

/** Fields every OAuth app configuration has, as an admin edits them. */
const OAuthAppFields = {
  enabled: t.Boolean(),
  clientId: ClientId,
  clientSecret: ClientSecret,
  authorizeUrl: httpUrl('Authorization endpoint (override for GitHub Enterprise or a test server)'),
  tokenUrl: httpUrl('Token endpoint'),
  userInfoUrl: httpUrl('User endpoint (GitHub: `/user`; its `/user/emails` is derived from it)'),
}

const OidcFields = {
  enabled: t.Boolean(),
  displayName: t.String({ minLength: 1, maxLength: 64, description: 'Button label, e.g. "Company SSO"' }),
  issuerUrl: t.Union([httpUrl(), t.Literal('')], { description: 'Issuer URL, or its /.well-known/openid-configuration URL' }),
  clientId: ClientId,
  clientSecret: ClientSecret,
  scopes: t.String({ minLength: 1, maxLength: 512, pattern: '(^|\\s)openid(\\s|$)', error: 'must be space-separated scopes including openid' }),
}

const TelegramFields = {
  enabled: t.Boolean(),
  botName: t.Union([t.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{4,31}$', error: 'must be the bot username (5–32 letters, digits, _)' }), t.Literal('')], {
    description: 'The bot username the login widget shows',
  }),
  botToken: t.Union([t.String({ maxLength: 128, pattern: '^\\d+:[A-Za-z0-9_-]+$', error: 'must be a bot token from @BotFather (123456:ABC…)' }), t.Null()], {
    description: 'Write-only: stored encrypted and never shown; omit to keep the stored one, null to remove it',
  }),
}

const RegistrationFields = {
  registrationEnabled: t.Boolean({ description: 'Anyone may create an account (POST /api/auth/register); off: only admins create users' }),
  allowOAuthRegistration: t.Union([t.Boolean(), t.Null()], {
    description: 'A first sign-in through a provider may create an account; null: same as registrationEnabled',
  }),
  publicUrl: t.Union([httpUrl(), t.Literal('')], {
    description: 'The address users reach the gateway at, for provider callback URLs; empty: taken from each request',
  }),
}

/** PATCH /api/auth/settings body: any subset; secrets are write-only. */
export const SignInSettingsPatch = t.Object(
  {
    registrationEnabled: t.Optional(RegistrationFields.registrationEnabled),
    allowOAuthRegistration: t.Optional(RegistrationFields.allowOAuthRegistration),
    publicUrl: t.Optional(RegistrationFields.publicUrl),
    github: t.Optional(t.Partial(t.Object(OAuthAppFields), { additionalProperties: false })),
    discord: t.Optional(t.Partial(t.Object(OAuthAppFields), { additionalProperties: false })),
    linuxdo: t.Optional(
      t.Partial(
        t.Object({
          ...OAuthAppFields,
          minimumTrustLevel: t.Integer({ minimum: 0, maximum: 4, description: 'LinuxDO trust level (0–4) an account needs to sign in' }),
        }),
        { additionalProperties: false },
      ),
    ),
    oidc: t.Optional(t.Partial(t.Object(OidcFields), { additionalProperties: false })),
    telegram: t.Optional(t.Partial(t.Object(TelegramFields), { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1 },
)

/** Typed PATCH /api/auth/settings body. */
export type SignInSettingsPatch = Static<typeof SignInSettingsPatch>

const CallbackUrl = t.String({ description: 'The redirect (callback) URL to register with the provider' })
const { clientSecret: _oauthSecret, ...OAuthAppViewFields } = OAuthAppFields
const { clientSecret: _oidcSecret, ...OidcViewFields } = OidcFields
const { botToken: _botToken, ...TelegramViewFields } = TelegramFields
const OAuthAppView = t.Object({ ...OAuthAppViewFields, clientSecretSet: t.Boolean(), callbackUrl: CallbackUrl })

/** GET /api/auth/settings answer: everything but the secrets, which show only whether they are set. */
export const SignInSettingsView = t.Object({
  ...RegistrationFields,
  github: OAuthAppView,
  discord: OAuthAppView,
  linuxdo: t.Object({ ...OAuthAppViewFields, minimumTrustLevel: t.Integer(), clientSecretSet: t.Boolean(), callbackUrl: CallbackUrl }),
  oidc: t.Object({ ...OidcViewFields, clientSecretSet: t.Boolean(), callbackUrl: CallbackUrl }),
  telegram: t.Object({ ...TelegramViewFields, botTokenSet: t.Boolean() }),
})

/** Typed sign-in settings view. */
export type SignInSettingsView = Static<typeof SignInSettingsView>

/** One sign-in button of the login page (nothing secret). */
export const SignInProviderView = t.Object({
  id: ProviderId,
  name: t.String(),
  kind: t.Union([t.Literal('oauth'), t.Literal('telegram')]),
  startUrl: t.Optional(t.String({ description: 'Navigate here to sign in (append ?redirect=/path to come back elsewhere)' })),
  botName: t.Optional(t.String({ description: 'The bot username for the Telegram login widget' })),
})

/** Typed sign-in button. */
export type SignInProviderView = Static<typeof SignInProviderView>

/** The sign-in fields of GET /api/status. */
export const SignInStatusFields = {
  signInMethods: t.Array(t.String(), { description: 'password, then the enabled providers' }),
  signInProviders: t.Array(SignInProviderView),
  registrationEnabled: t.Boolean(),
}

/** POST /api/auth/register body. */
export const RegisterRequest = t.Object(
  {
    username: Username,
    password: Password,
    email: t.Optional(Email),
    displayName: t.Optional(t.String({ maxLength: 128 })),
    session: t.Optional(t.Boolean({ description: 'Also set an HttpOnly session cookie (the dashboard)' })),
  },
  { additionalProperties: false },
)

/** Typed registration body. */
export type RegisterRequest = Static<typeof RegisterRequest>

/** POST /api/auth/telegram body: the fields the Telegram Login Widget hands to the page, unchanged. */
export const TelegramLoginRequest = t.Object(
  {
    id: t.Integer({ minimum: 1 }),
    first_name: t.String({ maxLength: 256 }),
    last_name: t.Optional(t.String({ maxLength: 256 })),
    username: t.Optional(t.String({ maxLength: 64 })),
    photo_url: t.Optional(t.String({ maxLength: 2048 })),
    auth_date: t.Integer({ minimum: 0 }),
    hash: t.String({ pattern: '^[0-9a-f]{64}$', error: 'must be the 64-hex-digit hash from Telegram' }),
  },
  { additionalProperties: false },
)

/** Typed Telegram widget data. */
export type TelegramLoginRequest = Static<typeof TelegramLoginRequest>

/** POST /api/auth/login/two-factor body. */
export const TwoFactorSignInRequest = t.Object(
  {
    code: t.String({ minLength: 6, maxLength: 32, description: 'A code from the authenticator app, or a recovery code' }),
  },
  { additionalProperties: false },
)

/** A sign-in identity linked to a user. */
export const OAuthAccountView = t.Object({
  id: t.Integer(),
  provider: ProviderId,
  providerName: t.String({ description: 'GitHub, Discord, LinuxDO, the OIDC display name, Telegram' }),
  subject: t.String({ description: "The provider's id of the account" }),
  login: t.Union([t.String(), t.Null()]),
  email: t.Union([t.String(), t.Null()]),
  createdAt: Timestamp,
})

/** Typed linked identity. */
export type OAuthAccountView = Static<typeof OAuthAccountView>

/**
 * What a provider sign-in ends with, for callers that asked for JSON (Telegram, or the OAuth callback
 * with `Accept: application/json`): signed in (the login fields are present) or linked.
 */
export const ExternalSignInResponse = t.Object({
  outcome: t.Union([t.Literal('signed-in'), t.Literal('linked')]),
  created: t.Boolean({ description: 'A new account was registered' }),
  redirect: t.String({ description: 'Where the dashboard goes next' }),
  account: OAuthAccountView,
  accessToken: t.Optional(LoginResponse.properties.accessToken),
  expiresAt: t.Optional(LoginResponse.properties.expiresAt),
  user: t.Optional(LoginResponse.properties.user),
})

/** Typed provider sign-in answer. */
export type ExternalSignInResponse = Static<typeof ExternalSignInResponse>
