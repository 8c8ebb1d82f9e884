import { Elysia, t } from 'elysia'
import { and, count, desc, eq, type SQL } from 'drizzle-orm'
import { tokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { newApiKey, maskSecret, sha256Hex } from '../security/crypto.ts'
import { findInvalidIpEntry } from '../security/ip-allowlist.ts'
import { IdParams, Page } from '../../schemas/admin/common.ts'
import { TokenCreate, TokenCreated, TokenListQuery, TokenUpdate, TokenView } from '../../schemas/admin/tokens.ts'
import { roleAtLeast, type Actor } from './auth.ts'
import { access, adminBase, iso, signedIn, withErrors, type AdminDeps } from './http.ts'

type TokenRow = typeof tokens.$inferSelect
const tags = ['tokens']

/** Shows a token without its key. */
export function toTokenView(row: TokenRow): TokenView {
  return {
    id: row.id, userId: row.userId, name: row.name, keyPreview: row.keyPreview, status: row.status, remainQuota: row.remainQuota, usedQuota: row.usedQuota,
    unlimited: row.unlimited, models: row.models ?? null, ipAllowlist: row.ipAllowlist ?? null, group: row.group, expiresAt: iso(row.expiresAt), lastUsedAt: iso(row.lastUsedAt),
    createdAt: iso(row.createdAt) ?? '',
  }
}

function checkIps(entries: string[] | null | undefined) {
  const bad = entries ? findInvalidIpEntry(entries) : undefined
  if (bad !== undefined) throw new GatewayError(400, 'invalid_request', `ipAllowlist: "${bad}" is neither an IP address nor a CIDR range`, { param: 'ipAllowlist' })
}

function expiry(value: string | null | undefined): Date | null | undefined {
  if (value === undefined || value === null) return value
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new GatewayError(400, 'invalid_request', 'expiresAt: not a valid date-time', { param: 'expiresAt' })
  return date
}

/** Relay API keys: users manage their own, admins anyone's. The key is shown once, stored as a hash. */
export function tokenRoutes(deps: AdminDeps) {
  const { context } = deps
  const db = context.database.db

  /** The token if the actor may see it; another user's token is "not found", never "forbidden". */
  async function owned(actor: Actor, id: number): Promise<TokenRow> {
    const [row] = await db.select().from(tokens).where(eq(tokens.id, id))
    if (!row || (row.userId !== actor.id && !roleAtLeast(actor.role, 'admin'))) throw new GatewayError(404, 'not_found', `Token ${id} does not exist`)
    return row
  }

  async function ownerFor(actor: Actor, userId: number | undefined): Promise<number> {
    if (userId === undefined || userId === actor.id) return actor.id
    if (!roleAtLeast(actor.role, 'admin')) throw new GatewayError(403, 'forbidden', 'Only admins can create keys for other users', { param: 'userId' })
    const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId))
    if (!owner) throw new GatewayError(400, 'invalid_request', `userId: user ${userId} does not exist`, { param: 'userId' })
    return userId
  }

  return new Elysia({ prefix: '/api' })
    .use(adminBase(deps))
    .post('/tokens', async ({ actor, body, set }) => {
      const me = signedIn(actor)
      checkIps(body.ipAllowlist)
      const key = newApiKey()
      const [row] = await db.insert(tokens).values({
        userId: await ownerFor(me, body.userId), name: body.name, keyHash: sha256Hex(key), keyPreview: maskSecret(key), remainQuota: body.quota ?? 0,
        unlimited: body.unlimited ?? false, models: body.models ?? null, ipAllowlist: body.ipAllowlist ?? null, group: body.group ?? null, expiresAt: expiry(body.expiresAt) ?? null,
      }).returning()
      await context.bus.publish('tokens')
      set.status = 201
      return { ...toTokenView(row!), key }
    }, { ...access('user', { operationId: 'createToken', tags, summary: 'Create an API key (returned once)' }), body: TokenCreate, response: withErrors({ 201: TokenCreated }) })
    .get('/tokens', async ({ actor, query }) => {
      const me = signedIn(actor)
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const filters: SQL[] = []
      if (!roleAtLeast(me.role, 'admin')) filters.push(eq(tokens.userId, me.id))
      else if (query.userId !== undefined) filters.push(eq(tokens.userId, query.userId))
      else if (query.all !== true) filters.push(eq(tokens.userId, me.id))
      const where = and(...filters)
      const [total] = await db.select({ value: count() }).from(tokens).where(where)
      const rows = await db.select().from(tokens).where(where).orderBy(desc(tokens.id)).limit(pageSize).offset((page - 1) * pageSize)
      return { items: rows.map(toTokenView), total: total?.value ?? 0, page, pageSize }
    }, { ...access('user', { operationId: 'listTokens', tags, summary: 'List API keys (own; admins: any user or all)' }), query: TokenListQuery, response: withErrors({ 200: Page(TokenView) }) })
    .get('/tokens/:id', async ({ actor, params }) => toTokenView(await owned(signedIn(actor), params.id)), {
      ...access('user', { operationId: 'getToken', tags, summary: 'Read an API key' }), params: IdParams, response: withErrors({ 200: TokenView }),
    })
    .patch('/tokens/:id', async ({ actor, params, body }) => {
      await owned(signedIn(actor), params.id)
      checkIps(body.ipAllowlist)
      const { quota, expiresAt, ...rest } = body
      const [row] = await db.update(tokens).set({
        ...rest, ...(quota === undefined ? {} : { remainQuota: quota }), ...(expiresAt === undefined ? {} : { expiresAt: expiry(expiresAt) }), updatedAt: new Date(),
      }).where(eq(tokens.id, params.id)).returning()
      await context.bus.publish('tokens')
      return toTokenView(row!)
    }, { ...access('user', { operationId: 'updateToken', tags, summary: 'Update an API key' }), params: IdParams, body: TokenUpdate, response: withErrors({ 200: TokenView }) })
    .delete('/tokens/:id', async ({ actor, params, set }) => {
      await owned(signedIn(actor), params.id)
      await db.delete(tokens).where(eq(tokens.id, params.id))
      await context.bus.publish('tokens')
      set.status = 204
      return undefined
    }, { ...access('user', { operationId: 'deleteToken', tags, summary: 'Delete an API key' }), params: IdParams, response: withErrors({ 204: t.Void() }) })
}
