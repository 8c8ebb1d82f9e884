import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import Redis from 'ioredis'
import { queryRows, type Db } from '../db/client.ts'

// Readiness (`GET /ready`) answers "may a load balancer send this replica traffic?": the database
// answers, Redis answers when one is configured, and the database carries every migration this build
// ships. Liveness (`/health`) stays a plain "the process runs", so a database outage takes replicas out
// of rotation without getting them restarted.

/** The state of one dependency: 'ok', 'not configured', or why it failed. */
export type CheckState = string

/** What `/ready` reports: ready only when every check is 'ok' or 'not configured'. */
export interface Readiness {
  ready: boolean
  checks: { database: CheckState; redis: CheckState; migrations: CheckState }
}

/** What the probe needs to look at. */
export interface ReadinessTargets {
  db: Db
  /** Redis is checked only when configured. */
  redisUrl?: string
  /** Per-check deadline; a dependency that hangs is as unready as one that refuses. */
  timeoutMs?: number
}

const migrationsFolder = fileURLToPath(new URL('../db/migrations', import.meta.url))
let shippedMigrationMillis: number | undefined

/** The timestamp of the newest migration this build ships (drizzle records it as created_at once applied). */
function newestShippedMigration(): number {
  shippedMigrationMillis ??= Math.max(0, ...readMigrationFiles({ migrationsFolder }).map((migration) => migration.folderMillis))
  return shippedMigrationMillis
}

/** Rejects with "timed out after N ms" when `work` takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The reason a check failed, as one short line. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** 'ok' when the database's newest applied migration is the newest this build ships. */
async function migrationState(db: Db): Promise<CheckState> {
  const rows = queryRows<{ created_at: string | number | null }>(await db.execute(sql`select max(created_at) as created_at from drizzle.__drizzle_migrations`))
  const applied = Number(rows[0]?.created_at ?? 0)
  const shipped = newestShippedMigration()
  return applied >= shipped ? 'ok' : `pending: the newest applied migration is from ${applied} but this build ships one from ${shipped}`
}

/** One short-lived connection per probe: probes come every few seconds, and nothing is left open at shutdown. */
async function pingRedis(redisUrl: string, timeoutMs: number): Promise<void> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
  } finally {
    client.disconnect()
  }
}

/** Runs the checks concurrently, each within the deadline. */
export async function checkReadiness(targets: ReadinessTargets): Promise<Readiness> {
  const timeoutMs = targets.timeoutMs ?? 2000
  const settle = (work: () => Promise<CheckState>) => within(timeoutMs, work()).catch((error: unknown) => `failed: ${reasonOf(error)}`)
  const [database, migrations, redis] = await Promise.all([
    settle(async () => {
      await targets.db.execute(sql`select 1`)
      return 'ok'
    }),
    settle(() => migrationState(targets.db)),
    targets.redisUrl
      ? settle(async () => {
          await pingRedis(targets.redisUrl as string, timeoutMs)
          return 'ok'
        })
      : Promise.resolve('not configured'),
  ])
  const checks = { database, redis, migrations }
  return { ready: Object.values(checks).every((state) => state === 'ok' || state === 'not configured'), checks }
}

/** The `/ready` answer: 200 when ready, else 503 naming the failing parts. */
export function readinessResponse(readiness: Readiness): Response {
  const failing = Object.entries(readiness.checks)
    .filter(([, state]) => state !== 'ok' && state !== 'not configured')
    .map(([name]) => name)
  const body = readiness.ready ? { status: 'ready', checks: readiness.checks } : { status: 'not ready', failing, checks: readiness.checks }
  return Response.json(body, { status: readiness.ready ? 200 : 503, headers: { 'cache-control': 'no-store' } })
}
