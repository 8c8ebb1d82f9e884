import { afterAll, beforeAll, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { getTableColumns, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import type { PGlite } from '@electric-sql/pglite'
import { createLogger } from '../app-context.ts'
import { embeddedStartParams } from './pglite-settings.ts'
import { openPgliteWorker, type PgliteWorkerClient } from './pglite-worker-client.ts'
import { logs, schema } from './schema.ts'

// Big results (the usage-log export reads 1,000 log rows per query) leave garbage buffers in the
// PGlite thread; its heap must not keep them for the length of an export (issue 14 item 6).

const MB = 1_048_576
let client: PgliteWorkerClient

beforeAll(async () => {
  client = await openPgliteWorker({ dataDir: 'memory://', startParams: embeddedStartParams(), logger: createLogger('error') })
  const db = drizzle(client as unknown as PGlite, { schema })
  await migrate(db, { migrationsFolder: fileURLToPath(new URL('./migrations', import.meta.url)) })
  await db.execute(sql`
    insert into logs (created_at, type, user_id, username, model, upstream_model, quota, request_id, ip, details)
    select timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond', 'consume', 1, 'bulk', 'gpt-4o-mini', 'gpt-4o-mini', g,
      'req_' || md5(g::text), '127.0.0.1', jsonb_build_object('outcome', 'completed', 'charged', g, 'price', jsonb_build_object('inputPerMTok', 0.15))
    from generate_series(1, 24000) as g`)
})
afterAll(async () => {
  await client.close()
})

test('reading 24,000 log rows 1,000 at a time, the PGlite thread collects its garbage as it goes, and its WebAssembly memory does not grow', async () => {
  const db = drizzle(client as unknown as PGlite, { schema })
  const before = await client.memory()
  for (let offset = 0; offset < 24_000; offset += 1000) await db.select().from(logs).orderBy(logs.id).limit(1000).offset(offset)
  const after = await client.memory()
  // 24,000 rows of the logs table's columns: a collection after every ~2,500 rows. Without them,
  // JavaScriptCore kept every batch's buffers (~100-160 MB of RSS after an export of 24,000 rows).
  const cells = 24_000 * Object.keys(getTableColumns(logs)).length
  expect(after.collections - before.collections).toBeGreaterThanOrEqual(Math.floor(cells / 100_000) - 1)
  expect(after.wasmBytes).toBe(before.wasmBytes)
}, 60_000)
