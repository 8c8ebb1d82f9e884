import { loadConfig, type Config } from '../../core/config.ts'
import { buildContext, closeContext } from '../../core/build-context.ts'
import type { AppContext } from '../../core/app-context.ts'

/** The storage backends a suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const testBackends: Array<{ name: string; databaseUrl?: string }> = [
  { name: 'pglite' },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', databaseUrl: process.env.TEST_DATABASE_URL }] : []),
]

/** Test configuration: an in-memory PGlite (or the given PostgreSQL), fixed secrets, quiet logs. */
export function testConfig(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Config {
  const base = loadConfig({ DATA_DIR: 'memory://', CRYPTO_SECRET: 'test-crypto-secret-0123456789', SESSION_SECRET: 'test-session-secret-0123456789', LOG_LEVEL: 'error', ROOT_PASSWORD: 'root-password-123', ROOT_ACCESS_TOKEN: 'root-access-token-for-tests-0123', ...env })
  return { ...base, ...overrides }
}

/** Empties every table of a shared PostgreSQL test database so suites start from nothing. */
export async function resetDatabase(context: AppContext): Promise<void> {
  if (context.database.kind !== 'postgres') return
  const { sql } = await import('drizzle-orm')
  await context.database.db.execute(sql`truncate table logs, quota_stats, quota_stats_daily, abilities, access_tokens, redemptions, oauth_accounts, tokens, channels, users, options restart identity cascade`)
  await context.options.reload()
}

/** A fresh context on the given backend; PostgreSQL databases are truncated first. */
export async function createTestContext(backend: { databaseUrl?: string } = {}, overrides: Partial<Config> = {}): Promise<AppContext> {
  const context = await buildContext(testConfig({ ...overrides, databaseUrl: backend.databaseUrl }))
  await resetDatabase(context)
  return context
}

export { closeContext }
