import { Elysia, t } from 'elysia'
import { and, desc, eq } from 'drizzle-orm'
import { accessTokens } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import { IdParams, Timestamp } from '../../schemas/admin/common.ts'
import { bearerToken } from '../http/actor.ts'
import { access, apiBase, iso, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'

const tags = ['sessions']
/** Names of sign-in sessions, which the session list tells apart from access tokens by name. */
const RESERVED_NAMES = new Set(['login', 'session'])

const SessionView = t.Object({
  id: t.Integer(),
  name: t.String({ description: 'login (bearer), session (cookie)' }),
  createdAt: Timestamp,
  lastUsedAt: t.Union([Timestamp, t.Null()]),
  expiresAt: t.Union([Timestamp, t.Null()]),
  current: t.Boolean({ description: 'The session this request was made with' }),
  scope: t.Union([t.Literal('full'), t.Literal('read')]),
})

const AccessTokenCreate = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 128, description: 'Any name but `login` and `session`, which name sign-in sessions' }),
    scope: t.Optional(t.Union([t.Literal('full'), t.Literal('read')], { description: 'read: GET requests only; default full' })),
    expiresInDays: t.Optional(t.Union([t.Integer({ minimum: 1, maximum: 3650 }), t.Null()], { description: 'Default: never expires' })),
  },
  { additionalProperties: false },
)

/** The signed-in user's sessions and access tokens: list them, revoke any. */
export function sessionRoutes(deps: IdentityDeps) {
  const db = deps.context.database.db
  return new Elysia()
    .use(apiBase(deps))
    .get(
      '/users/me/sessions',
      async ({ actor: me, request, sessionToken }) => {
        const token = bearerToken(request.headers.get('authorization')) ?? sessionToken
        const currentHash = token ? sha256Hex(token) : ''
        const rows = await db.select().from(accessTokens).where(eq(accessTokens.userId, me.id)).orderBy(desc(accessTokens.id))
        return rows.map((row) => ({
          id: row.id,
          name: row.name,
          createdAt: iso(row.createdAt) ?? '',
          lastUsedAt: iso(row.lastUsedAt),
          expiresAt: iso(row.expiresAt),
          current: row.tokenHash === currentHash,
          scope: row.scope,
        }))
      },
      {
        ...access('user', { operationId: 'listSessions', tags, summary: 'Your sign-in sessions and access tokens' }),
        response: withErrors({ 200: t.Array(SessionView) }),
      },
    )
    .post(
      '/users/me/access-tokens',
      async ({ actor: me, body, set }) => {
        if (me.scope === 'read') throw new GatewayError(403, 'forbidden', 'A read-only token cannot create tokens')
        if (RESERVED_NAMES.has(body.name))
          throw new GatewayError(400, 'invalid_request', 'name: must be a name other than "login" or "session"', { param: 'name' })
        const token = `hat_${randomKey(40)}`
        const expiresAt = body.expiresInDays ? new Date(deps.context.now().getTime() + body.expiresInDays * 86_400_000) : null
        const [row] = await db
          .insert(accessTokens)
          .values({ userId: me.id, name: body.name, scope: body.scope ?? 'full', tokenHash: sha256Hex(token), expiresAt })
          .returning()
        deps.context.logWriter.write({ type: 'manage', userId: me.id, username: me.username, content: `access token "${body.name}" (${row!.scope}) created` })
        set.status = 201
        return { id: row!.id, name: row!.name, scope: row!.scope, expiresAt: iso(row!.expiresAt), token }
      },
      {
        ...access(
          'user',
          { operationId: 'createAccessToken', tags, summary: 'Create a personal access token for automation (shown once; stored hashed)' },
          AccessTokenCreate,
        ),
        response: withErrors({
          201: t.Object({ id: t.Integer(), name: t.String(), scope: t.String(), expiresAt: t.Union([Timestamp, t.Null()]), token: t.String() }),
        }),
      },
    )
    .delete(
      '/users/me/sessions/:id',
      async ({ actor: me, params, set }) => {
        const removed = await db
          .delete(accessTokens)
          .where(and(eq(accessTokens.id, params.id), eq(accessTokens.userId, me.id)))
          .returning({ id: accessTokens.id })
        if (removed.length === 0) throw new GatewayError(404, 'not_found', `Session ${params.id} does not exist`)
        await deps.context.bus.publish('access-tokens')
        set.status = 204
        return undefined
      },
      {
        ...access('user', { operationId: 'revokeSession', tags, summary: 'Sign a session out (or revoke an access token)' }),
        params: IdParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
}
