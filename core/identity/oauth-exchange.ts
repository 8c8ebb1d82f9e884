import { Type, type Static } from '@sinclair/typebox'
import { GatewayError } from '../errors.ts'
import {
  DiscordUser,
  GitHubEmail,
  GitHubUser,
  LinuxDoUser,
  OAUTH_PROVIDERS,
  discordIdentity,
  githubIdentity,
  linuxDoIdentity,
  pickGitHubEmail,
  readAs,
  type ExternalIdentity,
  type FixedOAuthProviderId,
} from './oauth-providers.ts'

// The requests of the authorization-code grant: trading the code for tokens (RFC 6749 §4.1.3, with
// the PKCE verifier of RFC 7636) and reading the account with the access token. Provider failures
// become 502 `oauth_failed` errors that say what the provider answered, never what we sent.

/** How long one provider request may take. */
const PROVIDER_TIMEOUT_MS = 10_000
/** GitHub's API refuses requests without a User-Agent. */
const USER_AGENT = 'hanggent-api'

/** The token endpoint's answer, the fields read (OIDC adds `id_token`). */
export const TokenAnswer = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  token_type: Type.Optional(Type.String()),
  id_token: Type.Optional(Type.String()),
})
/** Typed token answer. */
export type TokenAnswer = Static<typeof TokenAnswer>

/** What a code exchange needs. */
export interface CodeExchange {
  tokenUrl: string
  clientId: string
  clientSecret: string
  code: string
  redirectUri: string
  /** PKCE verifier, when the authorization request carried a challenge. */
  verifier: string | null
  /** Client authentication: form fields, HTTP Basic, or none (public clients). */
  clientAuth: 'post' | 'basic' | 'none'
}

function providerFailure(what: string, detail: string): GatewayError {
  return new GatewayError(502, 'oauth_failed', `${what}: ${detail}`.slice(0, 500))
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The provider's own error text from an OAuth error answer (`error`, `error_description`), if any. */
function oauthErrorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { error, error_description: description } = body as { error?: unknown; error_description?: unknown }
  if (typeof error !== 'string') return undefined
  return typeof description === 'string' ? `${error} (${description})` : error
}

/** Trades an authorization code for tokens. GitHub answers errors with status 200, so the body is checked too. */
export async function exchangeCode(exchange: CodeExchange): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri })
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT }
  if (exchange.clientAuth === 'basic') {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    headers.authorization = `Basic ${btoa(`${encodeURIComponent(exchange.clientId)}:${encodeURIComponent(exchange.clientSecret)}`)}`
  } else {
    form.set('client_id', exchange.clientId)
    if (exchange.clientAuth === 'post') form.set('client_secret', exchange.clientSecret)
  }
  if (exchange.verifier) form.set('code_verifier', exchange.verifier)
  let response: Response
  try {
    response = await fetch(exchange.tokenUrl, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS), redirect: 'error' })
  } catch (error) {
    throw providerFailure("The provider's token endpoint could not be reached", error instanceof Error ? error.message : String(error))
  }
  const body = await readJson(response)
  const problem = oauthErrorText(body)
  if (problem || !response.ok) throw providerFailure('The provider refused the sign-in code', problem ?? `HTTP ${response.status}`)
  const answer = readAs(TokenAnswer, body)
  if (!answer) throw providerFailure("The provider's token answer is not usable", 'no access_token')
  return answer
}

/** GETs a JSON resource with the user's access token. */
export async function fetchWithToken(url: string, accessToken: string): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': USER_AGENT },
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      redirect: 'error',
    })
  } catch (error) {
    throw providerFailure(`The provider's ${new URL(url).pathname} could not be reached`, error instanceof Error ? error.message : String(error))
  }
  const body = await readJson(response)
  if (!response.ok) throw providerFailure(`The provider's ${new URL(url).pathname} answered HTTP ${response.status}`, oauthErrorText(body) ?? 'no details')
  return body
}

/** A fixed provider's account, read after the code exchange; LinuxDO accounts below the minimum trust level are refused. */
export async function fixedProviderIdentity(
  provider: FixedOAuthProviderId,
  app: { userInfoUrl: string },
  accessToken: string,
  minimumTrustLevel: number,
): Promise<ExternalIdentity> {
  const body = await fetchWithToken(app.userInfoUrl, accessToken)
  const unusable = () => providerFailure(`${OAUTH_PROVIDERS[provider].name}'s user answer is not usable`, 'unexpected shape')
  if (provider === 'github') {
    const user = readAs(GitHubUser, body)
    if (!user) throw unusable()
    if (user.email) return githubIdentity(user, null)
    // A private address is only listed by /user/emails (needs the user:email scope).
    const emails = readAs(Type.Array(GitHubEmail), await fetchWithToken(`${app.userInfoUrl.replace(/\/+$/, '')}/emails`, accessToken))
    return githubIdentity(user, emails ? pickGitHubEmail(emails) : null)
  }
  if (provider === 'discord') {
    const user = readAs(DiscordUser, body)
    if (!user) throw unusable()
    return discordIdentity(user)
  }
  const user = readAs(LinuxDoUser, body)
  if (!user) throw unusable()
  if (user.trust_level < minimumTrustLevel) {
    throw new GatewayError(
      403,
      'trust_level_too_low',
      `This LinuxDO account has trust level ${user.trust_level}; signing in here needs at least ${minimumTrustLevel}`,
    )
  }
  return linuxDoIdentity(user)
}
