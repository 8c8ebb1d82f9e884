// Measures the embedded database the way a busy gateway uses it, for before/after comparisons:
//   bun core/db/measure-embedded.ts rss [--thread] [--default-settings] [--first-boot]   # RSS after 50k log rows and dashboard queries
//   bun core/db/measure-embedded.ts lag [--thread] [--default-settings] [--first-boot]   # event-loop lag while inserts and aggregates run
// --set name=value (repeatable) tries another Postgres setting on top. --database-url <postgres URL>
// runs the same load on PostgreSQL instead, for reference; it EMPTIES that database's logs table.
// --thread runs PGlite on this thread, as core/db/client.ts did before the worker; --default-settings
// leaves out EMBEDDED_POSTGRES_SETTINGS (PGlite's own defaults: 128MB shared_buffers and so on), so
// `--thread --default-settings` is the gateway before these changes and no flag is the gateway now.
// Each run uses a fresh data directory under the system temp dir and removes it afterwards. A child
// process creates the cluster and applies the migrations first, so the numbers are those of a gateway
// restarted on an existing directory; --first-boot measures the process that runs initdb as well.
// Not a test: numbers depend on the machine, so nothing here asserts on them.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { createLogger } from '../app-context.ts'
import { openDatabase, type Db } from './client.ts'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { logs, schema } from './schema.ts'
import { EMBEDDED_POSTGRES_SETTINGS, embeddedStartParams } from './pglite-settings.ts'
import { openPgliteWorker } from './pglite-worker-client.ts'

const ROWS = 50_000
const BATCH = 500
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4', 'gemini-2.5-flash', 'o3-mini', 'text-embedding-3-small']

/** Opens PGlite in a fresh directory, on a worker (the gateway's way) or on this thread (the old way), and migrates. */
async function open(dataDir: string, onThread: boolean, defaultSettings: boolean): Promise<{ db: Db; close(): Promise<void> }> {
  const startParams = embeddedStartParams({ ...(defaultSettings ? {} : EMBEDDED_POSTGRES_SETTINGS), ...settingOverrides() })
  const path = join(dataDir, 'pglite')
  const client = onThread ? new PGlite(path, { startParams }) : await openPgliteWorker({ dataDir: path, startParams, logger: createLogger('error') })
  const db = drizzle(client as PGlite, { schema })
  await migrate(db, { migrationsFolder: fileURLToPath(new URL('./migrations', import.meta.url)) })
  return { db: db as unknown as Db, close: () => client.close() }
}

/** `--set name=value` flags, for trying other settings without editing pglite-settings.ts. */
function settingOverrides(): Record<string, string> {
  const flags = process.argv.flatMap((argument, index) => (argument === '--set' ? [process.argv[index + 1] ?? ''] : []))
  return Object.fromEntries(flags.map((flag) => [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)]))
}

/** 500 usage rows shaped like the relay writes them: a spread of users, tokens, channels and models, a minute apart. */
function logBatch(batch: number): Array<typeof logs.$inferInsert> {
  return Array.from({ length: BATCH }, (_, index) => {
    const n = batch * BATCH + index
    const model = MODELS[n % MODELS.length]!
    return {
      type: n % 50 === 0 ? 'error' : 'consume',
      userId: 1 + (n % 40),
      username: `user${n % 40}`,
      tokenId: 1 + (n % 120),
      tokenName: `key ${n % 120}`,
      channelId: 1 + (n % 12),
      model,
      upstreamModel: `${model}-2025-01-01`,
      promptTokens: 200 + (n % 3000),
      completionTokens: 50 + (n % 900),
      cacheReadTokens: n % 7 === 0 ? 128 : 0,
      quota: 1_000 + (n % 20_000),
      latencyMs: 300 + (n % 4000),
      firstTokenMs: 120 + (n % 900),
      isStream: n % 3 !== 0,
      requestId: `req-${n.toString(36)}-${batch}`,
      ip: `10.0.${n % 256}.${(n * 7) % 256}`,
      group: n % 5 === 0 ? 'vip' : 'default',
      statusCode: 200,
      createdAt: new Date(Date.UTC(2025, 0, 1) + n * 60_000),
      details: { inputPerMTok: 0.15, outputPerMTok: 0.6, groupRatio: 1, cacheHit: n % 7 === 0 },
    }
  })
}

/** What the dashboard asks of the logs: per-model totals, a daily series, top users, one filtered page, a count. */
function dashboardQueries(db: Db): Array<() => Promise<unknown>> {
  return [
    () =>
      db.execute(
        sql`select model, count(*) as requests, sum(prompt_tokens) as prompt, sum(completion_tokens) as completion, sum(quota) as quota from logs group by model order by quota desc`,
      ),
    () => db.execute(sql`select date_trunc('day', created_at) as day, count(*), sum(quota) from logs where type = 'consume' group by 1 order by 1`),
    () => db.execute(sql`select user_id, sum(quota) as quota from logs group by user_id order by quota desc limit 10`),
    () => db.execute(sql`select * from logs where model = 'gpt-4o' and created_at >= '2025-01-10' order by created_at desc, id desc limit 50 offset 100`),
    () => db.execute(sql`select count(*) from logs where user_id = 7 and type = 'consume'`),
  ]
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 1_048_576)
}

/** Peak resident set size of the whole process (all threads), from the kernel. */
function peakRssMegabytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN
}

async function measureRss(db: Db): Promise<Record<string, number>> {
  const afterOpen = megabytes(process.memoryUsage().rss)
  for (let batch = 0; batch < ROWS / BATCH; batch += 1) await db.insert(logs).values(logBatch(batch))
  for (let round = 0; round < 3; round += 1) for (const query of dashboardQueries(db)) await query()
  Bun.gc(true)
  const afterLoad = megabytes(process.memoryUsage().rss)
  // What an idle gateway holds a little after the load: the allocator hands freed pages back over seconds.
  await Bun.sleep(5000)
  Bun.gc(true)
  return { rssAfterOpenMB: afterOpen, rssAfterLoadMB: afterLoad, rssSettledMB: megabytes(process.memoryUsage().rss), peakRssMB: peakRssMegabytes() }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN
}

/** Lets timers and I/O run, as they would between two requests. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Samples timer drift every 5 ms for 15 s while batches of 500 inserts, and every fourth batch the
 * dashboard queries, run back to back, each statement its own task as separate requests would be.
 */
async function measureLag(db: Db): Promise<Record<string, number>> {
  const interval = 5
  const lags: number[] = []
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    lags.push(Math.max(0, now - last - interval))
    last = now
  }, interval)
  const started = performance.now()
  let batch = 0
  while (performance.now() - started < 15_000) {
    await db.insert(logs).values(logBatch(batch))
    await nextTask()
    batch += 1
    if (batch % 4 !== 0) continue
    for (const query of dashboardQueries(db)) {
      await query()
      await nextTask()
    }
  }
  clearInterval(timer)
  const sorted = lags.sort((a, b) => a - b)
  const round = (value: number) => Math.round(value * 10) / 10
  return {
    samples: sorted.length,
    lagP50Ms: round(percentile(sorted, 0.5)),
    lagP99Ms: round(percentile(sorted, 0.99)),
    lagMaxMs: round(sorted.at(-1) ?? Number.NaN),
    rowsInserted: batch * BATCH,
  }
}

const [task, givenDataDir] = process.argv.slice(2)
const onThread = process.argv.includes('--thread')
const defaultSettings = process.argv.includes('--default-settings')
const databaseUrl = process.argv[process.argv.indexOf('--database-url') + 1]
if (task === 'init' && givenDataDir) {
  await (await open(givenDataDir, onThread, defaultSettings)).close()
  process.exit(0)
}
if (task !== 'rss' && task !== 'lag') {
  console.error('usage: bun core/db/measure-embedded.ts rss|lag [--thread] [--default-settings] [--first-boot] [--set name=value] [--database-url url]')
  process.exit(2)
}
if (process.argv.includes('--database-url') && databaseUrl) {
  const database = await openDatabase({ databaseUrl, dataDir: '' })
  await database.db.execute(sql`truncate table logs`)
  const result = task === 'rss' ? await measureRss(database.db) : await measureLag(database.db)
  await database.db.execute(sql`truncate table logs`)
  await database.close()
  console.log(JSON.stringify({ task, database: 'postgres', ...result }))
  process.exit(0)
}
const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-measure-'))
try {
  if (!process.argv.includes('--first-boot')) {
    const init = Bun.spawnSync([process.execPath, fileURLToPath(import.meta.url), 'init', dataDir, ...process.argv.slice(3)], {
      stdout: 'inherit',
      stderr: 'inherit',
    })
    if (init.exitCode !== 0) throw new Error('creating the cluster failed')
  }
  const database = await open(dataDir, onThread, defaultSettings)
  const result = task === 'rss' ? await measureRss(database.db) : await measureLag(database.db)
  await database.close()
  console.log(
    JSON.stringify({
      task,
      pglite: onThread ? 'main thread' : 'worker',
      settings: defaultSettings ? 'PGlite defaults' : 'embedded',
      overrides: settingOverrides(),
      firstBoot: process.argv.includes('--first-boot'),
      ...result,
    }),
  )
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
