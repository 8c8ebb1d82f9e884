import { Elysia, t } from 'elysia'
import { and, desc, eq } from 'drizzle-orm'
import { accessTokens } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { sha256Hex } from '../security/crypto.ts'
import { IdParams, Timestamp } from '../../schemas/admin/common.ts'
import { bearerToken } from './auth.ts'
import { access, adminBase, iso, signedIn, withErrors, type AdminDeps } from './http.ts'

const tags = ['sessions']

const SessionView = t.Object({
  id: t.Integer(),
  name: t.String({ description: 'login (bearer), session (cookie)' }),
  createdAt: Timestamp,
  lastUsedAt: t.Union([Timestamp, t.Null()]),
  expiresAt: t.Union([Timestamp, t.Null()]),
  current: t.Boolean({ description: 'The session this request was made with' }),
})

/** The signed-in user's sessions and access tokens: list them, revoke any. */
export function sessionRoutes(deps: AdminDeps) {
  const db = deps.context.database.db
  return new Elysia()
    .use(adminBase(deps))
    .get('/users/me/sessions', async ({ actor, request, sessionToken }) => {
      const me = signedIn(actor)
      const token = bearerToken(request.headers.get('authorization')) ?? sessionToken
      const currentHash = token ? sha256Hex(token) : ''
      const rows = await db.select().from(accessTokens).where(eq(accessTokens.userId, me.id)).orderBy(desc(accessTokens.id))
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: iso(row.createdAt) ?? '', lastUsedAt: iso(row.lastUsedAt), expiresAt: iso(row.expiresAt), current: row.tokenHash === currentHash }))
    }, {
      ...access('user', { operationId: 'listSessions', tags, summary: 'Your sign-in sessions and access tokens' }),
      response: withErrors({ 200: t.Array(SessionView) }),
    })
    .delete('/users/me/sessions/:id', async ({ actor, params, set }) => {
      const me = signedIn(actor)
      const removed = await db.delete(accessTokens).where(and(eq(accessTokens.id, params.id), eq(accessTokens.userId, me.id))).returning({ id: accessTokens.id })
      if (removed.length === 0) throw new GatewayError(404, 'not_found', `Session ${params.id} does not exist`)
      await deps.context.bus.publish('access-tokens')
      set.status = 204
      return undefined
    }, {
      ...access('user', { operationId: 'revokeSession', tags, summary: 'Sign a session out (or revoke an access token)' }),
      params: IdParams, response: withErrors({ 204: t.Void() }),
    })
}
