import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { accessTokens, users, type UserRole } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { safeEqual, sha256Hex } from '../security/crypto.ts'
import { createLoadingCache } from '../runtime/loading-cache.ts'

/** The signed-in caller of an admin route. */
export interface Actor {
  /** User id. */
  id: number
  /** Username, for audit rows. */
  username: string
  /** What the caller may do. */
  role: UserRole
  /** The caller's group. */
  group: string
  /** What the credential allows: everything the role does, or only reading. */
  scope?: 'full' | 'read'
}

/** The least role a route needs; `public` routes need none. */
export type RequiredRole = 'public' | UserRole

const rank: Record<UserRole, number> = { user: 1, admin: 2, root: 3 }

/** True when `role` is at least `required` (user < admin < root). */
export function roleAtLeast(role: UserRole, required: UserRole): boolean {
  return rank[role] >= rank[required]
}

/** Resolves `Authorization: Bearer` tokens to actors, caching lookups briefly. */
export interface ActorResolver {
  /** The actor behind the header, or undefined when there is no usable token. */
  resolve(authorization: string | null): Promise<Actor | undefined>
}

/** How long a token lookup is trusted; writes that matter (users, access tokens) clear it at once. */
const CACHE_TTL_MS = 30_000
/** A cached token used after this age is reloaded in the background, so a session in steady use never waits for it. */
const REFRESH_AFTER_MS = 20_000
/** lastUsedAt is a hint for people, so it is written at most this often per token. */
const LAST_USED_INTERVAL_MS = 60_000
const MAX_CACHE_ENTRIES = 10_000

interface CachedToken {
  actor: Actor | null
  status: 'enabled' | 'disabled'
  accessTokenId: number | null
  expiresAt: number | null
  lastUsedWrittenAt: number
}

/** The token from `Authorization: Bearer <token>`, if the header has that form. */
export function bearerToken(authorization: string | null): string | undefined {
  const match = authorization ? /^bearer\s+(\S+)$/i.exec(authorization.trim()) : null
  return match?.[1]
}

/**
 * Accepts ROOT_ACCESS_TOKEN (acting as the root user) and personal access tokens stored as SHA-256
 * hashes. Lookups are cached for at most 30 s (reloaded in the background when used after 20 s) and
 * dropped on `users` and `access-tokens` changes, so a disabled user or a revoked token stops working
 * on the next request, even one whose lookup was already running.
 */
export function createActorResolver(context: AppContext): ActorResolver {
  const db = context.database.db
  const cache = createLoadingCache<CachedToken>({
    ttlMs: CACHE_TTL_MS,
    refreshAfterMs: REFRESH_AFTER_MS,
    maxEntries: MAX_CACHE_ENTRIES,
    now: () => context.now().getTime(),
  })
  context.bus.subscribe('access-tokens', () => cache.clear())
  context.bus.subscribe('users', () => cache.clear())

  async function load(token: string, hash: string, now: number): Promise<CachedToken> {
    const rootToken = context.config.rootAccessToken
    const base = { lastUsedWrittenAt: now, accessTokenId: null, expiresAt: null }
    if (rootToken && safeEqual(token, rootToken)) {
      const [root] = await db.select().from(users).where(eq(users.role, 'root')).limit(1)
      return root ? { ...base, actor: toActor(root), status: root.status } : { ...base, actor: null, status: 'disabled' }
    }
    const [row] = await db
      .select({ user: users, id: accessTokens.id, scope: accessTokens.scope, expiresAt: accessTokens.expiresAt, lastUsedAt: accessTokens.lastUsedAt })
      .from(accessTokens)
      .innerJoin(users, eq(accessTokens.userId, users.id))
      .where(eq(accessTokens.tokenHash, hash))
      .limit(1)
    if (!row) return { ...base, actor: null, status: 'disabled' }
    return {
      actor: { ...toActor(row.user), scope: row.scope },
      status: row.user.status,
      accessTokenId: row.id,
      expiresAt: row.expiresAt?.getTime() ?? null,
      lastUsedWrittenAt: row.lastUsedAt?.getTime() ?? 0,
    }
  }

  function touch(entry: CachedToken, now: number): void {
    if (entry.accessTokenId === null || now - entry.lastUsedWrittenAt < LAST_USED_INTERVAL_MS) return
    entry.lastUsedWrittenAt = now
    db.update(accessTokens)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(accessTokens.id, entry.accessTokenId))
      .catch((error: unknown) => context.logger.log('warn', 'could not record access token use', { error: String(error) }))
  }

  return {
    async resolve(authorization) {
      const token = bearerToken(authorization)
      if (!token) return undefined
      const hash = sha256Hex(token)
      const now = context.now().getTime()
      const entry = await cache.get(hash, () => load(token, hash, now))
      if (!entry.actor || entry.status !== 'enabled') return undefined
      if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined
      touch(entry, now)
      return entry.actor
    },
  }
}

function toActor(user: typeof users.$inferSelect): Actor {
  return { id: user.id, username: user.username, role: user.role, group: user.group }
}

/** Throws 401 without a usable token and 403 when the actor's role is below `required`. */
export function authorize(actor: Actor | undefined, required: RequiredRole): void {
  if (required === 'public') return
  if (!actor) throw new GatewayError(401, 'unauthorized', 'Sign in first: send "Authorization: Bearer <access token>"')
  if (!roleAtLeast(actor.role, required)) throw new GatewayError(403, 'forbidden', `This action needs the ${required} role`)
}
