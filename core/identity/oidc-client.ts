import { Type, type Static } from '@sinclair/typebox'
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'
import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import { safeEqual } from '../security/crypto.ts'
import { exchangeCode, fetchWithToken, type CodeExchange } from './oauth-exchange.ts'
import { readAs, type ExternalIdentity } from './oauth-providers.ts'

// Any OpenID Connect provider, configured by its issuer: the discovery document names the endpoints
// (cached for an hour), the ID token is verified against the provider's JWKS with jose (signature,
// issuer, audience, expiry, nonce), and the userinfo endpoint fills in claims the ID token lacks.
// see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
// see https://openid.net/specs/openid-connect-discovery-1_0.html

const DISCOVERY_TTL_MS = 3_600_000
const DISCOVERY_SUFFIX = '/.well-known/openid-configuration'
/** Allowed clock difference between us and the provider when checking exp/iat/nbf. */
const CLOCK_TOLERANCE_SECONDS = 60

/** The discovery document, the fields used. */
export const OidcDiscovery = Type.Object({
  issuer: Type.String({ minLength: 1 }),
  authorization_endpoint: Type.String({ minLength: 1 }),
  token_endpoint: Type.String({ minLength: 1 }),
  jwks_uri: Type.String({ minLength: 1 }),
  userinfo_endpoint: Type.Optional(Type.String()),
  token_endpoint_auth_methods_supported: Type.Optional(Type.Array(Type.String())),
  id_token_signing_alg_values_supported: Type.Optional(Type.Array(Type.String())),
  code_challenge_methods_supported: Type.Optional(Type.Array(Type.String())),
})
/** Typed discovery document. */
export type OidcDiscovery = Static<typeof OidcDiscovery>

const Claims = Type.Object({
  sub: Type.String({ minLength: 1 }),
  email: Type.Optional(Type.String()),
  email_verified: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  preferred_username: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
})
type Claims = Static<typeof Claims>

/** The issuer and discovery URL an admin's setting means: either may be given. */
export function discoveryUrlOf(issuerSetting: string): { issuer: string; discoveryUrl: string } {
  const trimmed = issuerSetting.replace(/\/+$/, '')
  const issuer = trimmed.endsWith(DISCOVERY_SUFFIX) ? trimmed.slice(0, -DISCOVERY_SUFFIX.length) : trimmed
  return { issuer, discoveryUrl: `${issuer}${DISCOVERY_SUFFIX}` }
}

/** How the client authenticates at the token endpoint, from what the provider supports (default Basic, per the spec). */
export function tokenAuthMethod(discovery: OidcDiscovery): CodeExchange['clientAuth'] {
  const methods = discovery.token_endpoint_auth_methods_supported ?? ['client_secret_basic']
  if (methods.includes('client_secret_basic')) return 'basic'
  if (methods.includes('client_secret_post')) return 'post'
  return methods.includes('none') ? 'none' : 'basic'
}

/** Whether to send a PKCE challenge: unless the provider lists methods without S256. */
export function supportsPkce(discovery: OidcDiscovery): boolean {
  return discovery.code_challenge_methods_supported === undefined || discovery.code_challenge_methods_supported.includes('S256')
}

/** The identity behind verified claims; an email the provider marks unverified is not kept. */
export function oidcIdentity(claims: Claims): ExternalIdentity {
  const verified = claims.email_verified !== false && claims.email_verified !== 'false'
  const email = claims.email && verified ? claims.email : null
  const hint = claims.preferred_username ?? claims.email?.split('@')[0] ?? claims.name ?? claims.sub
  return {
    provider: 'oidc',
    subject: claims.sub,
    login: claims.preferred_username ?? claims.email ?? null,
    email,
    displayName: claims.name ?? claims.preferred_username ?? null,
    usernameHint: hint,
  }
}

function idTokenFailure(detail: string): GatewayError {
  return new GatewayError(401, 'oauth_failed', `The provider's ID token was refused: ${detail}`)
}

/** Discovery, JWKS and ID-token checks for the configured OpenID Connect provider. */
export interface OidcClient {
  /** The provider's discovery document (cached). */
  discover(issuerSetting: string): Promise<OidcDiscovery>
  /** Exchanges the code and returns the verified identity. */
  identity(input: {
    issuerSetting: string
    clientId: string
    clientSecret: string
    code: string
    redirectUri: string
    verifier: string | null
    nonce: string
  }): Promise<ExternalIdentity>
}

/** An OIDC client with its own discovery and key caches. */
export function createOidcClient(context: AppContext): OidcClient {
  const documents = new Map<string, { document: OidcDiscovery; fetchedAt: number }>()
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()

  async function discover(issuerSetting: string): Promise<OidcDiscovery> {
    const { issuer, discoveryUrl } = discoveryUrlOf(issuerSetting)
    const cached = documents.get(discoveryUrl)
    const now = context.now().getTime()
    if (cached && now - cached.fetchedAt < DISCOVERY_TTL_MS) return cached.document
    let body: unknown
    try {
      const response = await fetch(discoveryUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) })
      body = response.ok ? await response.json() : undefined
    } catch {
      body = undefined
    }
    const document = readAs(OidcDiscovery, body)
    if (!document) throw new GatewayError(502, 'oauth_failed', `The OpenID Connect discovery document at ${discoveryUrl} could not be read`)
    // The spec requires the document's issuer to be the one it was fetched for; tokens are checked against it.
    if (document.issuer.replace(/\/+$/, '') !== issuer)
      throw new GatewayError(502, 'oauth_failed', `The discovery document names issuer ${document.issuer}, not ${issuer}`)
    documents.set(discoveryUrl, { document, fetchedAt: now })
    return document
  }

  function keySet(jwksUri: string) {
    let keys = keySets.get(jwksUri)
    if (!keys) {
      keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 })
      keySets.set(jwksUri, keys)
    }
    return keys
  }

  async function verifyIdToken(document: OidcDiscovery, idToken: string, clientId: string, nonce: string): Promise<JWTPayload> {
    const algorithms = document.id_token_signing_alg_values_supported?.filter((name) => name !== 'none' && !name.startsWith('HS'))
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(idToken, keySet(document.jwks_uri), {
        issuer: document.issuer,
        audience: clientId,
        currentDate: context.now(),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        ...(algorithms && algorithms.length > 0 ? { algorithms } : {}),
      }))
    } catch (error) {
      throw idTokenFailure(error instanceof Error ? error.message : String(error))
    }
    if (payload.exp === undefined) throw idTokenFailure('it has no expiry')
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== clientId) throw idTokenFailure('azp does not name this client')
    if (typeof payload.nonce !== 'string' || !safeEqual(payload.nonce, nonce)) throw idTokenFailure('the nonce does not match this sign-in')
    return payload
  }

  return {
    discover,
    async identity(input) {
      const document = await discover(input.issuerSetting)
      const tokens = await exchangeCode({
        tokenUrl: document.token_endpoint,
        clientId: input.clientId,
        clientSecret: input.clientSecret,
        code: input.code,
        redirectUri: input.redirectUri,
        verifier: input.verifier,
        clientAuth: tokenAuthMethod(document),
      })
      if (!tokens.id_token) throw new GatewayError(502, 'oauth_failed', 'The provider answered without an ID token (is the openid scope allowed?)')
      const claims = readAs(Claims, await verifyIdToken(document, tokens.id_token, input.clientId, input.nonce))
      if (!claims) throw idTokenFailure('it has no subject')
      if ((claims.email && claims.preferred_username) || !document.userinfo_endpoint) return oidcIdentity(claims)
      const info = readAs(Claims, await fetchWithToken(document.userinfo_endpoint, tokens.access_token))
      // Userinfo claims count only for the subject the ID token vouched for.
      if (!info || info.sub !== claims.sub) return oidcIdentity(claims)
      return oidcIdentity({ ...info, ...claims })
    },
  }
}
