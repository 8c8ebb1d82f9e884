// Imports a One API or New API database into this gateway's database.
//   npm run import -- --from <sqlite file | mysql://… | postgres://…> [--apply] [--with-logs] [--log-batch-size N]
//   bun scripts/import.ts --from ./one-api.db
// Without --apply it only reports what it would do. The target is the gateway's own database, read
// from the same environment the gateway uses (DATABASE_URL or DATA_DIR, CRYPTO_SECRET, PLUGINS, REDIS_URL).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../core/config.ts'
import { openDatabase } from '../core/db/client.ts'
import { loadPlugins } from '../core/plugin/loader.ts'
import { createRegistry } from '../core/plugin/registry.ts'
import { createSecretBox } from '../core/security/crypto.ts'
import { createRedisChangeBus } from '../core/cache/redis-change-bus.ts'
import { openSourceDatabase } from '../core/import/source-database.ts'
import { formatImportReport, runImport } from '../core/import/run-import.ts'

const USAGE =
  'usage: npm run import -- --from <one-api.db | mysql://user:pass@host/db | postgres://user:pass@host/db> [--apply] [--with-logs] [--log-batch-size N]'

/** The secret an embedded (PGlite) install keeps in DATA_DIR, read without creating it. */
function embeddedSecret(env: Record<string, string | undefined>): string | undefined {
  if (env.DATABASE_URL || /^postgres/.test(env.SQL_DSN ?? '')) return undefined
  const file = join(env.DATA_DIR?.trim() || './data', '.secret')
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      apply: { type: 'boolean', default: false },
      'with-logs': { type: 'boolean', default: false },
      'log-batch-size': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (!values.from) {
    console.error(`--from is required\n${USAGE}`)
    return 2
  }
  const batchSize = values['log-batch-size'] === undefined ? 1000 : Number(values['log-batch-size'])
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    console.error('--log-batch-size: a positive whole number')
    return 2
  }
  const config = loadConfig(process.env, { secret: embeddedSecret(process.env) })
  const registry = createRegistry(await loadPlugins(config.plugins), { routeOwners: config.pluginRouteOwners })
  const source = await openSourceDatabase(values.from)
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    const box = createSecretBox(config.cryptoSecret)
    const report = await runImport(
      source,
      {
        db: database.db,
        seal: box.seal,
        open: box.open,
        channelTypes: new Set(registry.channelTypes().map((entry) => entry.spec.id)),
      },
      { apply: values.apply, withLogs: values['with-logs'], logBatchSize: batchSize },
    )
    console.log(formatImportReport(report))
    if (report.applied && !report.nothingToDo) await announceChanges(config.redisUrl)
    return 0
  } finally {
    await source.close()
    await database.close()
  }
}

/** Tells running replicas (through Redis) to reload what the import changed; without Redis they pick it up on restart. */
async function announceChanges(redisUrl: string | undefined): Promise<void> {
  if (!redisUrl) {
    console.log('\nRestart running gateways (no REDIS_URL) so they load the imported channels, keys and options.')
    return
  }
  const bus = await createRedisChangeBus({ redisUrl })
  try {
    for (const topic of ['users', 'tokens', 'channels', 'options'] as const) await bus.publish(topic)
  } finally {
    await bus.close()
  }
}

try {
  process.exitCode = await main()
} catch (error) {
  console.error(
    error instanceof ConfigError ? `Configuration error: ${error.message}` : `Import failed: ${error instanceof Error ? error.message : String(error)}`,
  )
  process.exitCode = 1
}
