// What one usage-log export costs the gateway's memory (issue 14 item 6):
//   bun scripts/measure-log-export.ts [--rows 24000] [--database-url postgres://…] [--filter type=consume] [--batch N] [--rounds 2] [--idle S]
// Starts the gateway in this process (embedded PGlite unless --database-url, then on a fresh database
// of its own), writes --rows consume rows like the relay's (price breakdown in details, 20 per
// timestamp as a log-writer flush stamps them), then exports them --rounds times through
// GET /api/logs/export?<--filter> (or logCsvStream with --batch N rows per query) and prints, after a
// collection on this thread (and again after --idle S seconds): RSS, the main thread's heap and the anonymous mappings over 8 MB
// (resident/virtual MB), the peak RSS during the export (sampled every 50 ms) and its rows/s. The
// PGlite thread's own heap and WebAssembly memory are read with the worker client's memory() (see
// core/db/pglite-worker-memory.test.ts). Not a test: the figures depend on the machine.

import { heapStats } from 'bun:jsc'
import { sql } from 'drizzle-orm'
import { readFileSync } from 'node:fs'
import { startGateway } from '../tests/support/gateway.ts'
import { freshPostgresDatabase } from '../tests/support/gateway-process.ts'
import { readSmaps } from './memory-probe.ts'
import { logCsvStream } from '../core/admin/logs/log-export.ts'
import { flag } from './script-flags.ts'

const MB = 1_048_576
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10

/** RSS, the JS heap and the big anonymous mappings, after a full collection. */
function sample(label: string, collect = true) {
  if (collect) Bun.gc(true)
  const { bigAnonymous, smaps } = readSmaps(readFileSync('/proc/self/smaps', 'utf8'))
  const stats = heapStats()
  const figures = {
    rss: mb(process.memoryUsage().rss),
    heap: mb(stats.heapSize),
    extra: mb(stats.extraMemorySize),
    anonymous: mb(smaps.anonymous),
    big: bigAnonymous.map(([rss, virtual]) => `${mb(rss)}/${mb(virtual)}`).join(' '),
  }
  console.log(label.padEnd(16), JSON.stringify(figures))
  return figures
}

const rows = Number(flag('rows', '24000'))
const batch = Number(flag('batch', '0'))
const filter = flag('filter', 'type=consume')
const baseUrl = flag('database-url', '')
const fresh = baseUrl ? await freshPostgresDatabase(baseUrl, 'export_memory') : undefined
const gateway = await startGateway(fresh ? { databaseUrl: fresh.url } : {})
try {
  const userId = await gateway.createUser({ username: 'bulk', quota: 0 })
  // 20 rows per timestamp, as the log writer's group commit stamps a flush with one time.
  await gateway.context.database.db.execute(sql`
    insert into logs (created_at, type, user_id, username, token_id, token_name, channel_id, model, upstream_model, "group",
      prompt_tokens, completion_tokens, quota, latency_ms, first_token_ms, is_stream, status_code, request_id, ip, details)
    select timestamptz '2026-01-01 00:00:00+00' + (g / 20) * interval '1 millisecond', 'consume', ${userId}, 'bulk', 1, 'soak', 1,
      'gpt-4o-mini', 'gpt-4o-mini', 'default', 12, 24, 30 + g % 7, 35, 12, g % 2 = 0, 200, 'req_' || md5(g::text), '127.0.0.1',
      jsonb_build_object('outcome', 'completed', 'usageSource', 'upstream', 'reserved', 400, 'priced', 30, 'charged', 30, 'shortfall', 0,
        'price', jsonb_build_object('inputPerMTok', 0.15, 'outputPerMTok', 0.6, 'cacheReadPerMTok', 0.075), 'groupRatio', 1, 'baseUsd', 0.00006,
        'tokens', jsonb_build_object('input', 12, 'cacheRead', 0, 'cacheWrite', 0, 'output', 24, 'reasoning', 0))
    from generate_series(1, ${rows}) as g`)
  const before = sample('before')
  for (let round = 1; round <= Number(flag('rounds', '2')); round++) {
    const started = performance.now()
    let peak = 0
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
    const root = { id: 1, username: 'root', role: 'root' as const, group: 'default' }
    const response = batch
      ? new Response(logCsvStream(gateway.context, root, Object.fromEntries(new URLSearchParams(filter)), { batchSize: batch }))
      : await fetch(`${gateway.url}/api/logs/export?${filter}`, { headers: { authorization: `Bearer ${gateway.context.config.rootAccessToken}` } })
    let bytes = 0
    const reader = response.body!.getReader()
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength
    clearInterval(watch)
    const seconds = (performance.now() - started) / 1000
    sample(`no gc ${round}`, false)
    console.log(`  peak RSS during the export ${mb(peak)} MB`)
    console.log(`export ${round}: ${response.status} ${mb(bytes)} MB in ${seconds.toFixed(2)} s, ${Math.round(rows / seconds)} rows/s`)
    const after = sample(`after export ${round}`)
    console.log(`  RSS +${mb((after.rss - before.rss) * MB)} MB, heap +${mb((after.heap - before.heap) * MB)} MB`)
  }
  const idle = Number(flag('idle', '0'))
  if (idle > 0) {
    await Bun.sleep(idle * 1000)
    const later = sample(`${idle} s idle`)
    console.log(`  RSS +${mb((later.rss - before.rss) * MB)} MB, heap +${mb((later.heap - before.heap) * MB)} MB`)
  }
} finally {
  await gateway.stop()
  await fresh?.drop()
}
