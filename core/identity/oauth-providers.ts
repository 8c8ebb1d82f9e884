import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { OAuthProviderId } from '../../schemas/admin/sign-in.ts'

// What the gateway knows about each OAuth 2.0 provider with a fixed API: default endpoints, scopes,
// how the client authenticates at the token endpoint, and how the user endpoint's answer maps to an
// identity. Pure data and parsing; the requests themselves are in oauth-exchange.ts.

/** The providers with fixed APIs (OpenID Connect is configured by discovery instead). */
export type FixedOAuthProviderId = Exclude<OAuthProviderId, 'oidc'>

/** An account as a provider describes it, reduced to what the gateway keeps. */
export interface ExternalIdentity {
  /** Which provider vouched for it. */
  provider: OAuthProviderId | 'telegram'
  /** The provider's stable, never-reused id of the account. */
  subject: string
  /** The provider's login or handle, for the linked-accounts list. */
  login: string | null
  /** A verified email address, when the provider shares one. */
  email: string | null
  /** A human name, for the new user's display name. */
  displayName: string | null
  /** What a new username is derived from (login, preferred username, name). */
  usernameHint: string
}

/** How a fixed provider is reached and read. */
export interface OAuthProviderSpec {
  /** Button label. */
  name: string
  /** Production endpoints; admins may override each (GitHub Enterprise, test servers). */
  defaults: { authorizeUrl: string; tokenUrl: string; userInfoUrl: string }
  /** Scopes asked for, space-separated; empty: no scope parameter. */
  scopes: string
  /** Whether the provider accepts PKCE (S256); sent only where it is known to work. */
  pkce: boolean
  /** Client authentication at the token endpoint: form fields or HTTP Basic. */
  clientAuth: 'post' | 'basic'
}

/** The fixed providers. */
export const OAUTH_PROVIDERS: Record<FixedOAuthProviderId, OAuthProviderSpec> = {
  // see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
  github: {
    name: 'GitHub',
    defaults: {
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      userInfoUrl: 'https://api.github.com/user',
    },
    scopes: 'read:user user:email',
    pkce: true,
    clientAuth: 'post',
  },
  // see https://discord.com/developers/docs/topics/oauth2
  discord: {
    name: 'Discord',
    defaults: {
      authorizeUrl: 'https://discord.com/oauth2/authorize',
      tokenUrl: 'https://discord.com/api/oauth2/token',
      userInfoUrl: 'https://discord.com/api/users/@me',
    },
    scopes: 'identify email',
    pkce: true,
    clientAuth: 'post',
  },
  // see https://connect.linux.do (LinuxDO Connect: authorize, token, /api/user with trust_level)
  linuxdo: {
    name: 'LinuxDO',
    defaults: {
      authorizeUrl: 'https://connect.linux.do/oauth2/authorize',
      tokenUrl: 'https://connect.linux.do/oauth2/token',
      userInfoUrl: 'https://connect.linux.do/api/user',
    },
    // LinuxDO grants its user endpoint without a scope parameter.
    scopes: '',
    pkce: false,
    clientAuth: 'basic',
  },
}

/** Button label of a provider; the OIDC provider's comes from its settings. */
export function providerName(provider: string, oidcDisplayName: string): string {
  if (provider === 'oidc') return oidcDisplayName
  if (provider === 'telegram') return 'Telegram'
  return OAUTH_PROVIDERS[provider as FixedOAuthProviderId]?.name ?? provider
}

/** GitHub's GET /user, the fields read (its `email` is null when the user keeps it private). */
export const GitHubUser = Type.Object({
  id: Type.Integer(),
  login: Type.String(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})
/** One entry of GitHub's GET /user/emails. */
export const GitHubEmail = Type.Object({ email: Type.String(), primary: Type.Boolean(), verified: Type.Boolean() })
/** Discord's GET /users/@me (an `email` only with the email scope; `verified` says whether it is confirmed). */
export const DiscordUser = Type.Object({
  id: Type.String({ minLength: 1 }),
  username: Type.String(),
  global_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  verified: Type.Optional(Type.Boolean()),
})
/** LinuxDO Connect's GET /api/user. */
export const LinuxDoUser = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  active: Type.Optional(Type.Boolean()),
  trust_level: Type.Integer(),
  silenced: Type.Optional(Type.Boolean()),
})

/** Typed LinuxDO user. */
export type LinuxDoUser = Static<typeof LinuxDoUser>

/** Reads a JSON answer against a schema (extra fields allowed); undefined when it does not match. */
export function readAs<T extends TSchema>(schema: T, value: unknown): Static<T> | undefined {
  return Value.Check(schema, value) ? value : undefined
}

/** The address GitHub lists for its `/user/emails`: the primary one if verified, else any verified one. */
export function pickGitHubEmail(emails: Array<Static<typeof GitHubEmail>>): string | null {
  const verified = emails.filter((entry) => entry.verified)
  return (verified.find((entry) => entry.primary) ?? verified[0])?.email ?? null
}

/** A GitHub identity; the email comes from /user when public, else from /user/emails. */
export function githubIdentity(user: Static<typeof GitHubUser>, email: string | null): ExternalIdentity {
  return {
    provider: 'github',
    subject: String(user.id),
    login: user.login,
    email: user.email || email,
    displayName: user.name || user.login,
    usernameHint: user.login,
  }
}

/** A Discord identity; an unverified email is not kept. */
export function discordIdentity(user: Static<typeof DiscordUser>): ExternalIdentity {
  return {
    provider: 'discord',
    subject: user.id,
    login: user.username,
    email: user.verified === true && user.email ? user.email : null,
    displayName: user.global_name || user.username,
    usernameHint: user.username,
  }
}

/** A LinuxDO identity (LinuxDO shares no email address). */
export function linuxDoIdentity(user: LinuxDoUser): ExternalIdentity {
  return {
    provider: 'linuxdo',
    subject: String(user.id),
    login: user.username,
    email: null,
    displayName: user.name || user.username,
    usernameHint: user.username,
  }
}
