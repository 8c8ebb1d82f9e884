import { createHash, randomUUID } from 'node:crypto'
import type { Server } from 'bun'

// Fake GitHub, Discord and LinuxDO OAuth servers on 127.0.0.1, answering on their real paths with
// their real wire shapes. The authorize endpoint consents at once (or refuses, when told to) and
// redirects back with a code; the token endpoint checks the client credentials the way each provider
// takes them, the redirect_uri and the PKCE verifier.
// see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps (token errors come with status 200)
// see https://docs.github.com/en/rest/users/users#get-the-authenticated-user and /user/emails
// see https://discord.com/developers/docs/topics/oauth2 and https://discord.com/developers/docs/resources/user#get-current-user
// see https://connect.linux.do (authorize, token with HTTP Basic client authentication, /api/user with trust_level)

/** Which provider the fake plays. */
export type FakeProviderKind = 'github' | 'discord' | 'linuxdo'

/** A token request the fake received. */
export interface TokenRequest {
  form: Record<string, string>
  authorization: string | null
}

/** A running fake provider. */
export interface FakeOAuthProvider {
  url: string
  kind: FakeProviderKind
  clientId: string
  clientSecret: string
  /** The account the next sign-in is (a JSON body of the provider's user endpoint). */
  user: Record<string, unknown>
  /** GitHub only: what /user/emails lists. */
  emails: Array<{ email: string; primary: boolean; verified: boolean; visibility: string | null }>
  /** When set, the authorize endpoint redirects back with this OAuth error instead of a code. */
  refuseWith: string | undefined
  /** Token requests received, newest last. */
  tokenRequests: TokenRequest[]
  /** Query parameters of authorize requests received, newest last. */
  authorizeRequests: Array<Record<string, string>>
  /** The endpoint settings for PATCH /api/auth/settings. */
  settings(): { enabled: true; clientId: string; clientSecret: string; authorizeUrl: string; tokenUrl: string; userInfoUrl: string }
  stop(): Promise<void>
}

const PATHS: Record<FakeProviderKind, { authorize: string; token: string; user: string }> = {
  github: { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token', user: '/api/v3/user' },
  discord: { authorize: '/oauth2/authorize', token: '/api/oauth2/token', user: '/api/users/@me' },
  linuxdo: { authorize: '/oauth2/authorize', token: '/oauth2/token', user: '/api/user' },
}

interface IssuedCode {
  redirectUri: string
  clientId: string
  challenge: string | null
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status })
}

/** Starts a fake provider of the given kind. */
export function startFakeOAuthProvider(kind: FakeProviderKind): FakeOAuthProvider {
  const codes = new Map<string, IssuedCode>()
  const tokens = new Set<string>()
  const paths = PATHS[kind]

  function tokenError(code: string, description: string): Response {
    // GitHub reports a bad code with status 200 and an error body; the others use 400/401.
    return json({ error: code, error_description: description }, kind === 'github' ? 200 : code === 'invalid_client' ? 401 : 400)
  }

  function clientOf(form: Record<string, string>, authorization: string | null): { id: string; secret: string } | undefined {
    if (kind === 'linuxdo') {
      const basic = authorization?.startsWith('Basic ') ? atob(authorization.slice(6)) : undefined
      const colon = basic?.indexOf(':') ?? -1
      return basic && colon > 0 ? { id: decodeURIComponent(basic.slice(0, colon)), secret: decodeURIComponent(basic.slice(colon + 1)) } : undefined
    }
    return form.client_id && form.client_secret ? { id: form.client_id, secret: form.client_secret } : undefined
  }

  async function token(request: Request): Promise<Response> {
    const form = Object.fromEntries(new URLSearchParams(await request.text()))
    const authorization = request.headers.get('authorization')
    fake.tokenRequests.push({ form, authorization })
    const client = clientOf(form, authorization)
    if (!client || client.id !== fake.clientId || client.secret !== fake.clientSecret) return tokenError('invalid_client', 'Client authentication failed')
    const issued = form.code ? codes.get(form.code) : undefined
    if (!issued || form.grant_type !== 'authorization_code')
      return tokenError(kind === 'github' ? 'bad_verification_code' : 'invalid_grant', 'The code passed is incorrect or expired.')
    codes.delete(form.code!)
    if (form.redirect_uri !== issued.redirectUri)
      return tokenError(kind === 'github' ? 'redirect_uri_mismatch' : 'invalid_grant', 'The redirect_uri does not match')
    if (issued.challenge !== null) {
      const verifier = form.code_verifier ?? ''
      if (kind === 'discord' && verifier.length < 43) return tokenError('invalid_request', 'Invalid "code_verifier"')
      if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) return tokenError('invalid_grant', 'code_verifier does not match')
    }
    const accessToken = `${kind}-token-${randomUUID()}`
    tokens.add(accessToken)
    if (kind === 'github') return json({ access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' })
    return json({ access_token: accessToken, token_type: 'Bearer', expires_in: 604800, refresh_token: randomUUID(), scope: 'identify email' })
  }

  function authorize(url: URL): Response {
    const query = Object.fromEntries(url.searchParams)
    fake.authorizeRequests.push(query)
    if (query.client_id !== fake.clientId || !query.redirect_uri) return new Response('unknown client', { status: 400 })
    const back = new URL(query.redirect_uri)
    if (query.state) back.searchParams.set('state', query.state)
    if (fake.refuseWith) {
      back.searchParams.set('error', fake.refuseWith)
      return Response.redirect(back.toString(), 302)
    }
    const code = randomUUID()
    codes.set(code, {
      redirectUri: query.redirect_uri,
      clientId: query.client_id,
      challenge: query.code_challenge_method === 'S256' ? (query.code_challenge ?? null) : null,
    })
    back.searchParams.set('code', code)
    return Response.redirect(back.toString(), 302)
  }

  function userEndpoint(request: Request, body: unknown): Response {
    const bearer = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''
    if (!tokens.has(bearer)) return json(kind === 'github' ? { message: 'Bad credentials' } : { message: '401: Unauthorized', code: 0 }, 401)
    if (kind === 'github' && !request.headers.get('user-agent'))
      return json({ message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' }, 403)
    return json(body)
  }

  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      if (request.method === 'GET' && url.pathname === paths.authorize) return authorize(url)
      if (request.method === 'POST' && url.pathname === paths.token) return token(request)
      if (request.method === 'GET' && url.pathname === paths.user) return userEndpoint(request, fake.user)
      if (kind === 'github' && request.method === 'GET' && url.pathname === `${paths.user}/emails`) return userEndpoint(request, fake.emails)
      return json({ message: 'Not Found' }, 404)
    },
  })
  const base = `http://127.0.0.1:${server.port}`
  const fake: FakeOAuthProvider = {
    url: base,
    kind,
    clientId: `${kind}-client-id`,
    clientSecret: `${kind}-client-secret-${randomUUID()}`,
    user: {},
    emails: [],
    refuseWith: undefined,
    tokenRequests: [],
    authorizeRequests: [],
    settings: () => ({
      enabled: true,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      authorizeUrl: `${base}${paths.authorize}`,
      tokenUrl: `${base}${paths.token}`,
      userInfoUrl: `${base}${paths.user}`,
    }),
    async stop() {
      await server.stop(true)
    },
  }
  return fake
}
