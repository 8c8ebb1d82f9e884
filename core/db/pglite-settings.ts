import { PGlite } from '@electric-sql/pglite'

/**
 * PostgreSQL settings of the embedded database, sized for a gateway's admin data rather than for a
 * database server. WebAssembly memory only ever grows, so every buffer Postgres touches once stays in
 * the process for good; these caps are what keeps the gateway's RSS bounded.
 */
export const EMBEDDED_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  // initdb writes 128MB into postgresql.conf, and Postgres touches all of it at start.
  shared_buffers: '16MB',
  // Index builds in migrations and VACUUM; the 64MB default would grow the heap for good on a big table.
  maintenance_work_mem: '16MB',
  // Only temporary tables use these; we have none.
  temp_buffers: '1MB',
  // Single-user mode has no checkpointer: the backend checkpoints itself when the WAL reaches this, so
  // a small value bounds the WAL kept on disk (or in memory for memory://) and the replay after a crash.
  max_wal_size: '64MB',
  min_wal_size: '32MB',
}

/** PGlite's own start parameters plus our settings as `-c name=value`, which override postgresql.conf. */
export function embeddedStartParams(settings: Readonly<Record<string, string>> = EMBEDDED_POSTGRES_SETTINGS): string[] {
  const overrides = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])
  return [...PGlite.defaultStartParams, ...overrides]
}
