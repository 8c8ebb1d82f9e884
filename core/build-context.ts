import type { Config } from './config.ts'
import { createLogger, type AppContext, type Logger } from './app-context.ts'
import { openDatabase } from './db/client.ts'
import { loadPlugins } from './plugin/loader.ts'
import { createRegistry } from './plugin/registry.ts'
import { createSecretBox } from './security/crypto.ts'
import { createMemoryChangeBus } from './cache/change-bus.ts'
import { createRedisChangeBus } from './cache/redis-change-bus.ts'
import { createMemoryLeaseManager } from './jobs/lease-memory.ts'
import { createRedisLeaseManager } from './jobs/lease-redis.ts'
import { createRateLimiter } from './limits/create-rate-limiter.ts'
import { createOptionStore } from './options.ts'
import { createLogWriter } from './jobs/log-writer.ts'
import { createTokenCounter } from './tokenize/pool.ts'
import { createLocalLedger } from './billing/ledger.ts'
import { setPasswordHashCost } from './security/password.ts'
import { createRedisLedger } from './billing/redis-ledger.ts'

/** Opens the database, loads plugins and builds the shared services, in dependency order. */
export async function buildContext(config: Config, overrides: { logger?: Logger; now?: () => Date } = {}): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.logLevel)
  setPasswordHashCost({ memoryKib: config.passwordHashMemoryKib, timeCost: config.passwordHashTimeCost })
  const registry = createRegistry(await loadPlugins(config.plugins), { routeOwners: config.pluginRouteOwners })
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger })
  const onBusError = (error: unknown) => logger.log('error', 'cache invalidation failed', { error: String(error) })
  const bus = config.redisUrl ? await createRedisChangeBus({ redisUrl: config.redisUrl, onError: onBusError }) : createMemoryChangeBus(onBusError)
  const leases = config.redisUrl
    ? await createRedisLeaseManager({ redisUrl: config.redisUrl, onError: (error) => logger.log('error', 'job lease failed', { error: String(error) }) })
    : createMemoryLeaseManager()
  const options = await createOptionStore(database.db, bus)
  const logWriter = createLogWriter((batch) => database.writeBatch(batch), {
    // Calls share a transaction every 100 ms instead of one each. On PostgreSQL, postgres.js writes each batch
    // on the event loop (per call at c=1: -150..-350 us of event-loop CPU with a 20 ms wait). On PGlite the
    // transaction runs in the database's thread, whose fixed cost per transaction competed with the calls for the
    // machine's cores: from 20 ms to 100 ms, that thread's CPU per answer fell from 145-201 to 70-85 us at c=1 and
    // from 55-83 to 50-59 us at c=50, and c=1 added p50/p99 from 0.47/5.4 to 0.38/4.3 ms (non-stream, medians of 3
    // alternated pairs, `npm run bench -- --concurrency 1,50 --body small`). Charges are durable before the answer
    // (the journal) whatever the wait; what it delays is a row's arrival in the database, and what a crash can
    // lose is the rows without a charge (error rows) of the last wait.
    gatherMs: 100,
    onError: (error) => logger.log('error', 'log flush failed', { error: String(error) }),
  })
  const ledgerOptions = {
    db: database.db,
    writer: logWriter,
    dataDir: config.dataDir,
    log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger.log(level, message, fields),
  }
  const ledger = config.redisUrl ? await createRedisLedger({ ...ledgerOptions, redisUrl: config.redisUrl, leases }) : await createLocalLedger(ledgerOptions)
  return {
    config,
    database,
    registry,
    secretBox: createSecretBox(config.cryptoSecret),
    bus,
    leases,
    limiter: createRateLimiter({
      redisUrl: config.redisUrl,
      onError: (error) => logger.log('error', 'rate limiter connection failed', { error: String(error) }),
    }),
    options,
    logWriter,
    ledger,
    tokenCounter: createTokenCounter({ tokenizerFor: registry.tokenizer }),
    logger,
    now: overrides.now ?? (() => new Date()),
  }
}

/** Releases everything buildContext opened, flushing logs first. */
export async function closeContext(context: AppContext): Promise<void> {
  await context.logWriter.flush()
  await context.ledger.close()
  await context.logWriter.close()
  await context.leases.close()
  await context.limiter.close()
  await context.bus.close()
  await context.tokenCounter.close()
  await context.database.close()
}
