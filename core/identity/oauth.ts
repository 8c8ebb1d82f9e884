import { Elysia, t } from 'elysia'
import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import { safeEqual } from '../security/crypto.ts'
import { ExternalSignInResponse, type OAuthProviderId } from '../../schemas/admin/sign-in.ts'
import { renderAdminError, type AdminErrorBody } from '../http/errors.ts'
import { completeExternalSignIn, outcomeAsJson, type ExternalSignInOutcome } from './external-sign-in.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { exchangeCode, fixedProviderIdentity } from './oauth-exchange.ts'
import { OAUTH_PROVIDERS, type ExternalIdentity } from './oauth-providers.ts'
import {
  OAUTH_FLOW_SECONDS,
  clearedCookie,
  flowCookieName,
  newFlowSecrets,
  openFlow,
  pkceChallenge,
  requestOrigin,
  safeRedirectPath,
  sealFlow,
  sealedCookie,
  wantsJson,
  type OAuthFlow,
} from './oauth-state.ts'
import { createOidcClient, supportsPkce, type OidcClient } from './oidc-client.ts'
import { isSecureRequest, parseCookies } from '../http/session-cookie.ts'
import { activeProviders, callbackUrl, type SignInSettings } from './sign-in-settings-store.ts'

// Sign-in through GitHub, Discord, LinuxDO or an OpenID Connect provider (authorization-code grant):
// `start` sends the browser to the provider with a fresh state (and PKCE, and an OIDC nonce) bound
// to it by a sealed cookie; `callback` checks that state, exchanges the code, reads the account and
// signs in, links or registers. Browsers always end on a redirect (errors on /login?error=<code>);
// callers asking for JSON get the admin API's JSON answers instead.

const tags = ['auth']
// The provider names a cookie, so it is held to plain lowercase words.
const ProviderParams = t.Object({
  provider: t.String({ pattern: '^[a-z0-9]{1,32}$', error: 'must be github, discord, linuxdo or oidc', description: 'github, discord, linuxdo or oidc' }),
})
type HttpSet = { status?: number | string; headers: Record<string, unknown> }

/** The OAuth provider named in the path, when it is switched on and configured; else 404 `provider_disabled`. */
function activeOAuthProvider(settings: SignInSettings, name: string): OAuthProviderId {
  const active = activeProviders(settings).find((id): id is OAuthProviderId => id === name && id !== 'telegram')
  if (!active) throw new GatewayError(404, 'provider_disabled', `Sign-in with "${name}" is not enabled here`)
  return active
}

function openSecret(context: AppContext, sealed: string | null): string {
  if (!sealed) throw new GatewayError(404, 'provider_disabled', 'This provider has no client secret')
  return context.secretBox.open(sealed)
}

/** The provider's authorization URL for a new flow. */
async function authorizationUrl(settings: SignInSettings, oidc: OidcClient, provider: OAuthProviderId, flow: OAuthFlow): Promise<string> {
  const params: Record<string, string> = { response_type: 'code', redirect_uri: flow.redirectUri, state: flow.state }
  let endpoint: string
  if (provider === 'oidc') {
    const document = await oidc.discover(settings.oidc.issuerUrl)
    endpoint = document.authorization_endpoint
    Object.assign(params, { client_id: settings.oidc.clientId, scope: settings.oidc.scopes, nonce: flow.nonce ?? '' })
  } else {
    endpoint = settings[provider].authorizeUrl
    params.client_id = settings[provider].clientId
    if (OAUTH_PROVIDERS[provider].scopes) params.scope = OAUTH_PROVIDERS[provider].scopes
  }
  if (flow.verifier) Object.assign(params, { code_challenge: pkceChallenge(flow.verifier), code_challenge_method: 'S256' })
  const url = new URL(endpoint)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.toString()
}

/** Exchanges the code and reads the verified identity from the provider. */
async function providerIdentity(
  context: AppContext,
  settings: SignInSettings,
  oidc: OidcClient,
  provider: OAuthProviderId,
  code: string,
  flow: OAuthFlow,
): Promise<ExternalIdentity> {
  if (provider === 'oidc') {
    const { clientId, issuerUrl } = settings.oidc
    return oidc.identity({
      issuerSetting: issuerUrl,
      clientId,
      clientSecret: openSecret(context, settings.oidc.clientSecretSealed),
      code,
      redirectUri: flow.redirectUri,
      verifier: flow.verifier,
      nonce: flow.nonce ?? '',
    })
  }
  const app = settings[provider]
  const tokens = await exchangeCode({
    tokenUrl: app.tokenUrl,
    clientId: app.clientId,
    clientSecret: openSecret(context, app.clientSecretSealed),
    code,
    redirectUri: flow.redirectUri,
    verifier: flow.verifier,
    clientAuth: OAUTH_PROVIDERS[provider].clientAuth,
  })
  return fixedProviderIdentity(provider, app, tokens.access_token, settings.linuxdo.minimumTrustLevel)
}

/** Where a browser goes after a finished flow: the requested page, or the login page for the two-factor code. */
function browserDestination(outcome: ExternalSignInOutcome, redirect: string): string {
  if (outcome.kind !== 'two-factor') return redirect
  return redirect === '/' ? '/login?twoFactor=1' : `/login?twoFactor=1&redirect=${encodeURIComponent(redirect)}`
}

/** A failed step: JSON for API callers, a redirect to the login page (with only the error code) for browsers. */
function failure(context: AppContext, request: Request, set: HttpSet, error: unknown): AdminErrorBody | undefined {
  const { status, body } = renderAdminError('UNKNOWN', error)
  if (status >= 500 && !(error instanceof GatewayError))
    context.logger.log('error', 'provider sign-in failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  else context.logger.log('info', 'provider sign-in refused', { code: body.error.code, message: body.error.message })
  if (wantsJson(request)) {
    set.status = status
    return body
  }
  set.status = 302
  set.headers.location = `/login?error=${encodeURIComponent(body.error.code)}`
  return undefined
}

/** OAuth 2.0 / OpenID Connect sign-in: start and callback, both public. */
export function oauthRoutes(deps: IdentityDeps) {
  const { context } = deps
  const oidc = createOidcClient(context)
  return new Elysia()
    .use(apiBase(deps))
    .get(
      '/auth/oauth/:provider/start',
      async ({ actor, params, query, request, set }) => {
        try {
          const settings = await deps.signIn.get()
          const provider = activeOAuthProvider(settings, params.provider)
          const redirect = safeRedirectPath(query.redirect)
          const link = query.link === '1' || query.link === 'true'
          if (link && !actor) throw new GatewayError(401, 'unauthorized', 'Sign in first to link an account')
          const secrets = newFlowSecrets()
          const pkce = provider === 'oidc' ? supportsPkce(await oidc.discover(settings.oidc.issuerUrl)) : OAUTH_PROVIDERS[provider].pkce
          const flow: OAuthFlow = {
            provider,
            state: secrets.state,
            verifier: pkce ? secrets.verifier : null,
            nonce: provider === 'oidc' ? secrets.nonce : null,
            redirect,
            linkUserId: link && actor ? actor.id : null,
            redirectUri: callbackUrl(settings, requestOrigin(request), provider),
            expiresAt: context.now().getTime() + OAUTH_FLOW_SECONDS * 1000,
          }
          const location = await authorizationUrl(settings, oidc, provider, flow)
          const cookie = sealedCookie(flowCookieName(provider), sealFlow(context.secretBox, flow), {
            path: `/api/auth/oauth/${provider}`,
            maxAgeSeconds: OAUTH_FLOW_SECONDS,
            secure: isSecureRequest(request),
          })
          set.headers['set-cookie'] = [cookie] as unknown as string
          // Scripts (Accept: application/json) get the address to open instead of a redirect.
          if (wantsJson(request)) return { location }
          set.status = 302
          set.headers.location = location
          return undefined
        } catch (error) {
          return failure(context, request, set, error)
        }
      },
      {
        ...access('public', {
          operationId: 'startOAuthSignIn',
          tags,
          summary: 'Begin signing in (or, with link=1 while signed in, linking) through an OAuth provider: redirects to it',
        }),
        params: ProviderParams,
        query: t.Object({
          redirect: t.Optional(t.String({ maxLength: 2048, description: 'A path on this site to land on afterwards; default /' })),
          link: t.Optional(
            t.Union([t.Literal('1'), t.Literal('0'), t.Literal('true'), t.Literal('false')], {
              description: '1: link the identity to the signed-in user instead of signing in',
            }),
          ),
        }),
        response: withErrors({
          200: t.Object({ location: t.String({ description: "The provider's authorization URL to open (with Accept: application/json)" }) }),
          302: t.Void({ description: 'To the provider (or, on an error, to /login?error=<code>)' }),
        }),
      },
    )
    .get(
      '/auth/oauth/:provider/callback',
      async ({ actor, clientIp, params, query, request, set }) => {
        const cookieName = flowCookieName(params.provider)
        // The flow cookie is spent whatever happens next.
        const spent = clearedCookie(cookieName, `/api/auth/oauth/${params.provider}`)
        set.headers['set-cookie'] = [spent] as unknown as string
        try {
          const settings = await deps.signIn.get()
          const provider = activeOAuthProvider(settings, params.provider)
          const flow = openFlow(context.secretBox, parseCookies(request.headers.get('cookie'))[cookieName], provider, context.now())
          if (!flow || !query.state || !safeEqual(query.state, flow.state)) {
            throw new GatewayError(400, 'oauth_state_invalid', 'This sign-in was not started in this browser, or took too long: start again')
          }
          if (query.error) throw new GatewayError(400, 'oauth_denied', `The provider did not grant access: ${query.error.slice(0, 100)}`)
          if (!query.code) throw new GatewayError(400, 'invalid_request', 'code: the provider sent no authorization code', { param: 'code' })
          if (flow.linkUserId !== null && actor?.id !== flow.linkUserId)
            throw new GatewayError(401, 'unauthorized', 'The session that started linking has ended: sign in and try again')
          const identity = await providerIdentity(context, settings, oidc, provider, query.code, flow)
          const outcome = await completeExternalSignIn(context, settings, identity, { linkUserId: flow.linkUserId, clientIp, secure: isSecureRequest(request) })
          const answer = outcomeAsJson(outcome, settings, flow.redirect)
          set.headers['set-cookie'] = [spent, ...answer.cookies] as unknown as string
          if (wantsJson(request)) {
            set.status = answer.status
            return answer.body
          }
          set.status = 302
          set.headers.location = browserDestination(outcome, flow.redirect)
          return undefined
        } catch (error) {
          return failure(context, request, set, error)
        }
      },
      {
        ...access('public', {
          operationId: 'finishOAuthSignIn',
          tags,
          summary: 'Where the provider sends the browser back: signs in, links or registers, then redirects to the dashboard',
        }),
        params: ProviderParams,
        query: t.Object({
          code: t.Optional(t.String({ maxLength: 2048 })),
          state: t.Optional(t.String({ maxLength: 256 })),
          error: t.Optional(t.String({ maxLength: 256 })),
          error_description: t.Optional(t.String({ maxLength: 2048 })),
        }),
        response: withErrors({ 200: ExternalSignInResponse, 302: t.Void({ description: 'To the dashboard, /login?twoFactor=1, or /login?error=<code>' }) }),
      },
    )
}
