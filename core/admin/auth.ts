import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { accessTokens, users, type UserRole } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { safeEqual, sha256Hex } from '../security/crypto.ts'

/** The signed-in caller of an admin route. */
export interface Actor {
  id: number
  username: string
  role: UserRole
  group: string
}

/** The least role a route needs; `public` routes need none. */
export type RequiredRole = 'public' | UserRole

const rank: Record<UserRole, number> = { user: 1, admin: 2, root: 3 }

/** True when `role` is at least `required`. */
export function roleAtLeast(role: UserRole, required: UserRole): boolean {
  return rank[role] >= rank[required]
}

/** Resolves `Authorization: Bearer` tokens to actors, caching lookups briefly. */
export interface ActorResolver {
  /** The actor behind the header, or undefined when there is no usable token. */
  resolve(authorization: string | null): Promise<Actor | undefined>
}

const CACHE_TTL_MS = 30_000

/** Accepts ROOT_ACCESS_TOKEN (acting as root) and personal access tokens stored hashed. */
export function createActorResolver(context: AppContext): ActorResolver {
  const cache = new Map<string, { actor: Actor | null; expiresAt: number | null; loadedAt: number }>()
  context.bus.subscribe('access-tokens', () => cache.clear())
  context.bus.subscribe('users', () => cache.clear())

  async function rootActor(): Promise<Actor | null> {
    const [root] = await context.database.db.select().from(users).where(eq(users.role, 'root')).limit(1)
    return root && root.status === 'enabled' ? { id: root.id, username: root.username, role: root.role, group: root.group } : null
  }

  async function load(token: string): Promise<{ actor: Actor | null; expiresAt: number | null }> {
    const rootToken = context.config.rootAccessToken
    if (rootToken && safeEqual(token, rootToken)) return { actor: await rootActor(), expiresAt: null }
    const [row] = await context.database.db
      .select({ user: users, expiresAt: accessTokens.expiresAt })
      .from(accessTokens).innerJoin(users, eq(accessTokens.userId, users.id))
      .where(eq(accessTokens.tokenHash, sha256Hex(token))).limit(1)
    if (!row || row.user.status !== 'enabled') return { actor: null, expiresAt: null }
    const { user } = row
    return { actor: { id: user.id, username: user.username, role: user.role, group: user.group }, expiresAt: row.expiresAt?.getTime() ?? null }
  }

  return {
    async resolve(authorization) {
      const match = authorization ? /^bearer\s+(\S+)$/i.exec(authorization.trim()) : null
      if (!match?.[1]) return undefined
      const token = match[1]
      const now = Date.now()
      let entry = cache.get(token)
      if (!entry || now - entry.loadedAt > CACHE_TTL_MS) {
        entry = { ...(await load(token)), loadedAt: now }
        if (cache.size > 10_000) cache.clear()
        cache.set(token, entry)
      }
      if (!entry.actor || (entry.expiresAt !== null && entry.expiresAt <= context.now().getTime())) return undefined
      return entry.actor
    },
  }
}

/** Throws 401/403 unless the actor has the role; returns the actor for public-less routes. */
export function authorize(actor: Actor | undefined, required: RequiredRole): Actor | undefined {
  if (required === 'public') return actor
  if (!actor) throw new GatewayError(401, 'unauthorized', 'Sign in first: send "Authorization: Bearer <access token>"')
  if (!roleAtLeast(actor.role, required)) throw new GatewayError(403, 'forbidden', `This action needs the ${required} role`)
  return actor
}
