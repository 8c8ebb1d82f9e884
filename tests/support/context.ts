import { loadConfig, type Config } from '../../core/config.ts'
import { buildContext, closeContext } from '../../core/build-context.ts'
import type { AppContext } from '../../core/app-context.ts'
import { LEAST_PASSWORD_HASH_COST } from '../../core/security/password.ts'

/** The storage backends a suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const testBackends: Array<{ name: string; databaseUrl?: string }> = [
  { name: 'pglite' },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', databaseUrl: process.env.TEST_DATABASE_URL }] : []),
]

/** Test configuration: an in-memory PGlite (or the given PostgreSQL), fixed secrets, quiet logs. */
export function testConfig(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Config {
  const base = loadConfig({
    DATA_DIR: 'memory://',
    CRYPTO_SECRET: 'test-crypto-secret-0123456789',
    SESSION_SECRET: 'test-session-secret-0123456789',
    LOG_LEVEL: 'error',
    ROOT_PASSWORD: 'root-password-123',
    ROOT_ACCESS_TOKEN: 'root-access-token-for-tests-0123',
    // argon2id at OWASP's floor (19 MiB) instead of 64 MiB: a third of the CPU for each of the suite's many hashes.
    PASSWORD_HASH_MEMORY_KIB: String(LEAST_PASSWORD_HASH_COST.memoryKib),
    ...env,
  })
  return { ...base, ...overrides }
}

/** Every table a suite may fill; emptied between suites on the shared PostgreSQL test database. */
const TABLES =
  'logs, quota_stats, quota_stats_daily, abilities, access_tokens, redemptions, oauth_accounts, topups, tokens, channels, users, options, ledger_state'

/**
 * Empties every table of a shared PostgreSQL test database so suites start from nothing. Runs before
 * the context is built: the ledger and the option store read their state when they start.
 */
export async function resetDatabase(databaseUrl: string): Promise<void> {
  const { openDatabase } = await import('../../core/db/client.ts')
  const { sql } = await import('drizzle-orm')
  // Opening applies the migrations, so the tables exist even on a brand-new database.
  const database = await openDatabase({ databaseUrl, dataDir: 'memory://' })
  try {
    await database.db.execute(sql.raw(`truncate table ${TABLES} restart identity cascade`))
  } finally {
    await database.close()
  }
}

/** A fresh context on the given backend; PostgreSQL databases are emptied first unless `keepData` (a restart on the same data). */
export async function createTestContext(backend: { databaseUrl?: string; keepData?: boolean } = {}, overrides: Partial<Config> = {}): Promise<AppContext> {
  if (backend.databaseUrl && !backend.keepData) await resetDatabase(backend.databaseUrl)
  return buildContext(testConfig({ ...overrides, databaseUrl: backend.databaseUrl }))
}

export { closeContext }
