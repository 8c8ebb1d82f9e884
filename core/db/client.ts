import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { PGlite } from '@electric-sql/pglite'
import { createLogger, type Logger } from '../app-context.ts'
import { schema } from './schema.ts'
import { writeBatchMessage, type BatchMessage, type BatchResult } from '../jobs/batch-sql.ts'
import { postgresTransactor } from './sql-transactors.ts'

/** The drizzle database both backends share; code never needs to know which one it got. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

/** An open database plus how to close it. */
export interface Database {
  /** Typed query builder. */
  db: Db
  /** Which backend is in use, for logs and the status endpoint. */
  kind: 'pglite' | 'postgres'
  /** Writes one group commit of log rows and journaled charges (batch-sql.ts), where the database lives. */
  writeBatch(batch: BatchMessage): Promise<BatchResult>
  /** Closes connections; idempotent. */
  close(): Promise<void>
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

/** Arbitrary constant key for the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK_KEY = 4_815_162_342

/**
 * Opens PostgreSQL when a URL is given, else an embedded PGlite under dataDir (or in memory for
 * `memory://`), and applies committed migrations. The logger hears why, if the embedded database's
 * thread ever dies.
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string; logger?: Logger }): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl)
  return openPglite(options.dataDir, options.logger ?? createLogger('error'))
}

/** PGlite runs on its own thread (pglite-worker.ts), so its WebAssembly never stalls the event loop. */
async function openPglite(dataDir: string, logger: Logger): Promise<Database> {
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  const { openPgliteWorker } = await import('./pglite-worker-client.ts')
  const { embeddedStartParams } = await import('./pglite-settings.ts')
  const inMemory = dataDir === 'memory://'
  if (!inMemory) mkdirSync(dataDir, { recursive: true })
  const client = await openPgliteWorker({ dataDir: inMemory ? dataDir : `${dataDir.replace(/\/$/, '')}/pglite`, startParams: embeddedStartParams(), logger })
  try {
    // The worker client has the two methods drizzle's pglite driver calls (query, transaction).
    const db = drizzle(client as unknown as PGlite, { schema })
    await migrate(db, { migrationsFolder })
    return { db: db as unknown as Db, kind: 'pglite', writeBatch: (batch) => client.writeBatch(batch), close: () => client.close() }
  } catch (error) {
    await client.close()
    throw error
  }
}

async function openPostgres(url: string): Promise<Database> {
  const { default: postgres } = await import('postgres')
  const { drizzle } = await import('drizzle-orm/postgres-js')
  const { migrate } = await import('drizzle-orm/postgres-js/migrator')
  const client = postgres(url, { max: 20, onnotice: () => {}, idle_timeout: 30 })
  const db = drizzle(client, { schema })
  await withMigrationLock(url, async () => migrate(db, { migrationsFolder }))
  let closed = false
  const transactor = postgresTransactor(client)
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    writeBatch: (batch) => writeBatchMessage(transactor, batch),
    async close() {
      if (closed) return
      closed = true
      await client.end({ timeout: 5 })
    },
  }
}

/** Several replicas may start at once; only one applies migrations while the others wait. */
async function withMigrationLock(url: string, run: () => Promise<void>): Promise<void> {
  const { default: postgres } = await import('postgres')
  const lockClient = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`
    try {
      await run()
    } finally {
      await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`
    }
  } finally {
    await lockClient.end({ timeout: 5 })
  }
}

/** Rows of a raw `db.execute` result, whichever driver ran it (PGlite answers `{rows}`, postgres.js an array). */
export function queryRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

/** Cheap liveness probe for health endpoints. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.execute(sql`select 1`)
}
