import { eq, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import type { Db } from '../../db/client.ts'
import { tokens, users } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import { newApiKey, maskSecret, sha256Hex } from '../../security/crypto.ts'
import { findInvalidIpEntry } from '../../security/ip-allowlist.ts'
import type { TOKEN_SORT_FIELDS, TokenCreate, TokenListQuery, TokenUpdate, TokenView } from '../../../schemas/admin/tokens.ts'
import { roleAtLeast, type Actor } from '../../http/actor.ts'
import { iso } from '../../http/api-base.ts'
import { listPage } from '../../http/list-query.ts'

type TokenRow = typeof tokens.$inferSelect

/** Columns the `sort` parameter may name. */
const sortColumns: Record<(typeof TOKEN_SORT_FIELDS)[number], AnyColumn> = {
  id: tokens.id,
  name: tokens.name,
  remainQuota: tokens.remainQuota,
  usedQuota: tokens.usedQuota,
  expiresAt: tokens.expiresAt,
  lastUsedAt: tokens.lastUsedAt,
  createdAt: tokens.createdAt,
}

/** Shows a token without its key. */
export function toTokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    keyPreview: row.keyPreview,
    status: row.status,
    remainQuota: row.remainQuota,
    usedQuota: row.usedQuota,
    unlimited: row.unlimited,
    models: row.models ?? null,
    ipAllowlist: row.ipAllowlist ?? null,
    group: row.group,
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    createdAt: iso(row.createdAt) ?? '',
  }
}

/** Checks the parts of a token body that a schema cannot: `*` only at the end of a model entry, IP syntax and group rights. */
function checkTokenFields(actor: Actor, body: { models?: string[] | null; ipAllowlist?: string[] | null; group?: string | null }): void {
  const wildcard = (body.models ?? []).findIndex((entry) => entry.indexOf('*') !== -1 && entry.indexOf('*') !== entry.length - 1)
  if (wildcard !== -1)
    throw new GatewayError(400, 'invalid_request', `models.${wildcard}: must be a model name, or a prefix ending in *`, { param: `models.${wildcard}` })
  const bad = body.ipAllowlist ? findInvalidIpEntry(body.ipAllowlist) : undefined
  if (bad !== undefined) {
    const index = body.ipAllowlist!.indexOf(bad)
    throw new GatewayError(400, 'invalid_request', `ipAllowlist.${index}: "${bad}" is neither an IP address nor a CIDR range`, {
      param: `ipAllowlist.${index}`,
    })
  }
  // The group sets routing and the price ratio, so only admins may put a key in a group other than the owner's.
  if (body.group && body.group !== actor.group && !roleAtLeast(actor.role, 'admin')) {
    throw new GatewayError(403, 'forbidden', `group: only admins may use a group other than your own ("${actor.group}")`, { param: 'group' })
  }
}

/** The expiry as a Date; a past date is allowed and simply makes an expired key. */
function parseExpiry(value: string | null | undefined): Date | null | undefined {
  if (value === undefined || value === null) return value
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new GatewayError(400, 'invalid_request', 'expiresAt: not a valid date-time', { param: 'expiresAt' })
  return date
}

/** The token if the actor may see it; another user's token is "not found", never "forbidden". */
async function findOwnedToken(db: Db, actor: Actor, id: number): Promise<TokenRow> {
  const [row] = await db.select().from(tokens).where(eq(tokens.id, id))
  if (!row || (row.userId !== actor.id && !roleAtLeast(actor.role, 'admin'))) throw new GatewayError(404, 'not_found', `Token ${id} does not exist`)
  return row
}

/** Whose token a create makes: the actor's own, or (admins only) the named user's. */
async function tokenOwner(db: Db, actor: Actor, userId: number | undefined): Promise<number> {
  if (userId === undefined || userId === actor.id) return actor.id
  if (!roleAtLeast(actor.role, 'admin')) throw new GatewayError(403, 'forbidden', 'userId: only admins can create keys for other users', { param: 'userId' })
  const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId))
  if (!owner) throw new GatewayError(400, 'invalid_request', `userId: user ${userId} does not exist`, { param: 'userId' })
  return userId
}

/** Relay key persistence: keys stored as SHA-256 hashes, ownership enforced, caches told after writes. */
export interface TokenService {
  /** The token if the actor may see it, else 404. */
  owned(actor: Actor, id: number): Promise<TokenRow>
  /** Creates a key; the answer is the only place the key itself ever appears. */
  create(actor: Actor, body: TokenCreate): Promise<TokenView & { key: string }>
  /** Applies an update to a token the actor may see. */
  update(actor: Actor, id: number, body: TokenUpdate): Promise<TokenView>
  /** A page of tokens: plain users only ever see their own; admins may pick a user or all. */
  list(actor: Actor, query: TokenListQuery): Promise<{ items: TokenView[]; total: number; page: number; pageSize: number }>
  /** Deletes a token the actor may see. */
  remove(actor: Actor, id: number): Promise<void>
}

/** Builds the token service over the context's database. */
export function createTokenService(context: AppContext): TokenService {
  const db = context.database.db
  return {
    async owned(actor, id) {
      await context.ledger.sync()
      return findOwnedToken(db, actor, id)
    },

    async create(actor, body) {
      checkTokenFields(actor, body)
      const expiresAt = parseExpiry(body.expiresAt) ?? null
      const userId = await tokenOwner(db, actor, body.userId)
      const key = newApiKey()
      const [row] = await db
        .insert(tokens)
        .values({
          userId,
          name: body.name,
          keyHash: sha256Hex(key),
          keyPreview: maskSecret(key),
          remainQuota: body.quota ?? 0,
          unlimited: body.unlimited ?? false,
          models: body.models ?? null,
          ipAllowlist: body.ipAllowlist ?? null,
          group: body.group ?? null,
          expiresAt,
        })
        .returning()
      await context.bus.publish('tokens')
      return { ...toTokenView(row!), key }
    },

    async update(actor, id, body) {
      await findOwnedToken(db, actor, id)
      checkTokenFields(actor, body)
      const { quota, expiresAt, ...rest } = body
      // Charges still on their way to the database are applied before a balance is set, not after it.
      if (quota !== undefined) await context.ledger.sync()
      const [row] = await db
        .update(tokens)
        .set({
          ...rest,
          ...(quota === undefined ? {} : { remainQuota: quota, balanceVersion: sql`${tokens.balanceVersion} + 1` }),
          ...(expiresAt === undefined ? {} : { expiresAt: parseExpiry(expiresAt) }),
          updatedAt: context.now(),
        })
        .where(eq(tokens.id, id))
        .returning()
      if (!row) throw new GatewayError(404, 'not_found', `Token ${id} does not exist`)
      if (quota !== undefined) await context.ledger.adopt([{ key: `t:${row.id}`, quota: row.remainQuota, version: row.balanceVersion }])
      await context.bus.publish('tokens')
      return toTokenView(row)
    },

    async list(actor, query) {
      await context.ledger.sync()
      const filters: SQL[] = []
      if (!roleAtLeast(actor.role, 'admin')) filters.push(eq(tokens.userId, actor.id))
      else if (query.userId !== undefined) filters.push(eq(tokens.userId, query.userId))
      else if (query.all !== true) filters.push(eq(tokens.userId, actor.id))
      const { rows, ...counts } = await listPage(db, tokens, tokens.id, filters, query, sortColumns)
      return { items: rows.map(toTokenView), ...counts }
    },

    async remove(actor, id) {
      await findOwnedToken(db, actor, id)
      await db.delete(tokens).where(eq(tokens.id, id))
      await context.bus.publish('tokens')
    },
  }
}
