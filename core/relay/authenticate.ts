import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { tokens, users, type UserRole } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { sha256Hex } from '../security/crypto.ts'
import { compileIpAllowlist, type IpAllowlist } from '../security/ip-allowlist.ts'
import { createLoadingCache } from '../runtime/loading-cache.ts'

/** The relay key a call was made with. */
export interface CallerToken {
  id: number
  name: string
  unlimited: boolean
  models: string[] | null
  expiresAt: Date | null
  status: string
}

/** The authenticated caller of a relay request. */
export interface Caller {
  /** The relay key; null for a signed-in user calling from the dashboard playground, billed to the account alone. */
  token: CallerToken | null
  user: { id: number; username: string; role: UserRole; status: string }
  /** Routing and pricing group: the token's override, else the user's. */
  group: string
  /** Compiled IP allowlist, when the token has one. */
  ipAllowlist?: IpAllowlist
}

/** A caller that authenticated with a relay key. */
export type KeyCaller = Caller & { token: CallerToken }

/** Resolves relay API keys to callers, from memory when it can. */
export interface KeyAuthenticator {
  /** The caller for a key, after status, expiry and IP checks; throws GatewayError otherwise. */
  authenticate(key: string | undefined, clientIp: string | undefined): Promise<KeyCaller>
}

/** No cached answer older than this is used: the bound on a missed invalidation (another replica's message lost). */
const CACHE_TTL_MS = 60_000
/** A cached answer used after this age is reloaded in the background, so a key in steady use never waits for its reload. */
const REFRESH_AFTER_MS = 45_000
const CACHE_MAX_ENTRIES = 50_000

/** Builds the authenticator; its cache empties whenever tokens or users change. */
export function createKeyAuthenticator(context: AppContext): KeyAuthenticator {
  // Keyed by the key itself, so a hit costs a map lookup rather than a SHA-256 per request; the key
  // is in this process's memory for the length of every call anyway.
  const cache = createLoadingCache<KeyCaller | null>({ ttlMs: CACHE_TTL_MS, refreshAfterMs: REFRESH_AFTER_MS, maxEntries: CACHE_MAX_ENTRIES })
  context.bus.subscribe('tokens', () => cache.clear())
  context.bus.subscribe('users', () => cache.clear())

  async function load(hash: string): Promise<KeyCaller | null> {
    const [row] = await context.database.db
      .select({ token: tokens, user: { id: users.id, username: users.username, role: users.role, status: users.status, group: users.group } })
      .from(tokens)
      .innerJoin(users, eq(tokens.userId, users.id))
      .where(eq(tokens.keyHash, hash))
      .limit(1)
    if (!row) return null
    const { token, user } = row
    return {
      token: { id: token.id, name: token.name, unlimited: token.unlimited, models: token.models ?? null, expiresAt: token.expiresAt, status: token.status },
      user: { id: user.id, username: user.username, role: user.role, status: user.status },
      group: token.group ?? user.group,
      ipAllowlist: token.ipAllowlist && token.ipAllowlist.length > 0 ? compileIpAllowlist(token.ipAllowlist) : undefined,
    }
  }

  const loadKey = (key: string) => load(sha256Hex(key))

  return {
    async authenticate(key, clientIp) {
      if (!key) throw new GatewayError(401, 'invalid_api_key', 'You didn\'t provide an API key. Send it as "Authorization: Bearer sk-…".')
      const caller = await cache.get(key, loadKey)
      if (!caller) throw new GatewayError(401, 'invalid_api_key', 'Incorrect API key provided.')
      if (caller.token.status !== 'enabled') throw new GatewayError(401, 'token_disabled', 'This API key has been disabled.')
      if (caller.token.expiresAt && caller.token.expiresAt.getTime() <= context.now().getTime())
        throw new GatewayError(401, 'token_expired', 'This API key has expired.')
      if (caller.user.status !== 'enabled') throw new GatewayError(403, 'user_disabled', 'The account owning this API key is disabled.')
      if (caller.ipAllowlist && !(clientIp && caller.ipAllowlist.allows(clientIp))) {
        throw new GatewayError(403, 'ip_not_allowed', `Requests from ${clientIp ?? 'this address'} are not allowed for this API key.`)
      }
      return caller
    },
  }
}

/** True when the token may use the model: no allowlist, an exact entry, or a matching `prefix*` entry. */
export function modelAllowed(allowlist: string[] | null, model: string): boolean {
  if (!allowlist || allowlist.length === 0) return true
  return allowlist.some((entry) => (entry.endsWith('*') ? model.startsWith(entry.slice(0, -1)) : entry === model))
}
