// Stats endpoint on a million usage rows: seeds 1,000,000 consume logs spread at random over 30 days
// and 100 users, each user on two of 20 models (channel follows model), builds their hourly rollups as
// the log writer would, then times
// GET /api/stats in process. Bounded: fixed iterations per query.
//   npm run bench:stats                                  # embedded PGlite
//   npm run bench:stats -- --database-url postgres://…   # PostgreSQL (the database is emptied first)
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { loadConfig } from '../../core/config.ts'
import { buildContext, closeContext } from '../../core/build-context.ts'
import { ensureRootUser } from '../../core/bootstrap.ts'
import { createServer } from '../../core/server.ts'

const { values: args } = parseArgs({ options: { 'database-url': { type: 'string' }, rows: { type: 'string', default: '1000000' } } })
const rows = Number(args.rows)
const databaseUrl = args['database-url']

if (databaseUrl) {
  const { default: postgres } = await import('postgres')
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe('drop schema if exists public cascade; create schema public; drop schema if exists drizzle cascade')
  await admin.end()
}
const context = await buildContext(
  loadConfig({
    DATA_DIR: 'memory://',
    CRYPTO_SECRET: 'bench-stats-secret-0123456789',
    ROOT_ACCESS_TOKEN: 'bench-stats-root-token-0123',
    LOG_LEVEL: 'error',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  }),
)
await ensureRootUser(context)
const db = context.database.db
let started = performance.now()
await db.execute(sql`
  insert into logs (created_at, type, user_id, token_id, channel_id, model, prompt_tokens, completion_tokens, quota, is_stream)
  select now() - random() * interval '30 days', 'consume', u, u, 1 + m % 10, 'model-' || m, 100 + i % 900, 10 + i % 500, 50 + i % 5000, i % 2 = 0
  from (select i, 1 + floor(random() * 100)::int as u from generate_series(1, ${rows}) as i) as spread,
    lateral (select (u + floor(random() * 2)::int) % 20 as m) as pick`)
console.log(`seeded ${rows.toLocaleString()} log rows in ${((performance.now() - started) / 1000).toFixed(1)} s`)
started = performance.now()
await db.execute(sql`
  insert into quota_stats (hour, user_id, token_id, channel_id, model, requests, prompt_tokens, completion_tokens, quota)
  select date_trunc('hour', created_at), user_id, token_id, channel_id, model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(quota)
  from logs where type = 'consume' group by 1, 2, 3, 4, 5`)
await db.execute(sql`
  insert into quota_stats_daily (day, user_id, token_id, channel_id, model, requests, prompt_tokens, completion_tokens, quota)
  select date_trunc('day', created_at), user_id, token_id, channel_id, model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(quota)
  from logs where type = 'consume' group by 1, 2, 3, 4, 5`)
const [{ count } = { count: 0 }] =
  ((await db.execute(sql`select count(*)::int as count from quota_stats`)) as unknown as { rows?: Array<{ count: number }> }).rows ??
  ((await db.execute(sql`select count(*)::int as count from quota_stats`)) as unknown as Array<{ count: number }>)
console.log(`built ${Number(count).toLocaleString()} hourly rollup rows (and the daily ones) in ${((performance.now() - started) / 1000).toFixed(1)} s`)

const { app } = await createServer(context)
const now = Date.now()
const range = (days: number) => `from=${new Date(now - days * 86_400_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`
const queries: Array<[string, string]> = [
  ['30 days by day', `${range(30)}&bucket=day`],
  ['30 days by day × model', `${range(30)}&bucket=day&groupBy=model`],
  ['7 days by hour × model', `${range(7)}&bucket=hour&groupBy=model`],
  ['30 days by day × user', `${range(30)}&bucket=day&groupBy=user`],
  ['one user, 30 days by day × model', `${range(30)}&bucket=day&groupBy=model&userId=7`],
]
const results = []
for (const [name, query] of queries) {
  const timings: number[] = []
  for (let i = 0; i < 25; i++) {
    const t0 = performance.now()
    const response = await app.handle(new Request(`http://local/api/stats?${query}`, { headers: { authorization: 'Bearer bench-stats-root-token-0123' } }))
    const body = (await response.json()) as { items: unknown[] }
    timings.push(performance.now() - t0)
    if (i === 0 && response.status !== 200) throw new Error(`${name}: ${response.status}`)
    if (i === 0) results.push({ query: name, points: body.items.length })
  }
  timings.sort((a, b) => a - b)
  Object.assign(results.at(-1) ?? {}, { 'p50 ms': +timings[12]!.toFixed(1), 'max ms': +timings.at(-1)!.toFixed(1) })
}
console.log(`database: ${context.database.kind}`)
console.table(results)
await closeContext(context)
