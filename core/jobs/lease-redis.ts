import { hostname } from 'node:os'
import { randomUUID } from 'node:crypto'
import { closeRedis, connectRedis } from '../cache/redis-connection.ts'
import type { LeaseManager } from './lease.ts'

/** Bound on each lease command, so a hung server makes acquire fail (job skipped) rather than stall the job's ticks. */
const COMMAND_TIMEOUT_MS = 5000

/** Extends the lease's expiry only if this holder still owns it (KEYS[1] lease, ARGV[1] holder, ARGV[2] ttl ms). */
const RENEW_IF_OURS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`

/** Deletes the lease only if this holder still owns it (KEYS[1] lease, ARGV[1] holder). */
const RELEASE_IF_OURS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/** Settings for leases shared by all replicas through Redis. */
export interface RedisLeaseManagerOptions {
  /** The Redis server (REDIS_URL). */
  redisUrl: string
  /** Namespace shared by every replica of one deployment; lease keys are `${prefix}lease:<name>`. Default `hanggent:`. */
  prefix?: string
  /** This process's identity, stored as the lease value; must differ per replica. Default `<hostname>:<pid>:<random>`. */
  holderId?: string
  /** Receives Redis connection errors (acquire/release failures are thrown to the caller instead). */
  onError?: (error: unknown) => void
}

/**
 * Leases as Redis keys whose value is the holder's id: `SET key holder NX PX ttl` takes a free lease,
 * a Lua compare-and-PEXPIRE renews it only while the value is still ours, and a Lua compare-and-DEL
 * releases it only if ours. A holder that dies simply stops renewing, and the key expires after ttl.
 */
export async function createRedisLeaseManager(options: RedisLeaseManagerOptions): Promise<LeaseManager> {
  const prefix = options.prefix ?? 'hanggent:'
  const holderId = options.holderId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  // No offline queue: while disconnected, acquire fails at once and the job waits for the next tick.
  const client = await connectRedis(options.redisUrl, options.onError ?? (() => {}), {
    connectionName: `${prefix}leases:${holderId}`,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
  })
  const held = new Set<string>()
  const keyOf = (name: string) => `${prefix}lease:${name}`

  async function acquire(name: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlMs))
    const taken = (await client.set(keyOf(name), holderId, 'PX', ttl, 'NX')) === 'OK'
    const ours = taken || (await client.eval(RENEW_IF_OURS, 1, keyOf(name), holderId, ttl)) === 1
    if (ours) held.add(name)
    else held.delete(name)
    return ours
  }

  async function release(name: string): Promise<void> {
    held.delete(name)
    await client.eval(RELEASE_IF_OURS, 1, keyOf(name), holderId)
  }

  return {
    acquire,
    release,
    async close() {
      await Promise.all([...held].map((name) => release(name).catch(() => {})))
      await closeRedis(client)
    },
  }
}
