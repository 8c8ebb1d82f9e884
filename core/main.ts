// First: with JavaScriptCore's settings missing the process starts itself again here (runtime/jsc-settings.ts).
import './runtime/apply-jsc-settings.ts'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig } from './config.ts'
import { randomKey } from './security/crypto.ts'
import { buildContext, closeContext } from './build-context.ts'
import { ensureRootUser, rootStartupMessage } from './bootstrap.ts'
import { createServer, VERSION } from './server.ts'
import { PluginLoadError } from './plugin/validate-plugin.ts'
import { retestDisabledChannels } from './jobs/channel-retests.ts'
import { runLeasedJob, type LeasedJob } from './jobs/leased-job.ts'
import { scheduleBalanceRefresh } from './jobs/balance-refresh-job.ts'
import { createBalanceRefresher } from './routing/balance-refresh.ts'
import { startTaskPoller } from './tasks/task-poller.ts'
import { startEventLoopMonitor } from './runtime/event-loop-monitor.ts'
import { containDriverFaults } from './runtime/driver-faults.ts'
import type { AppContext } from './app-context.ts'
import type { RelayServices } from './relay/pipeline.ts'

/**
 * In embedded mode the secrets default to a random value kept in DATA_DIR, so a laptop install needs
 * no setup and encrypted channel keys survive restarts.
 */
function embeddedSecret(env: Record<string, string | undefined>): string | undefined {
  if (env.DATABASE_URL || /^postgres/.test(env.SQL_DSN ?? '')) return undefined
  const dataDir = env.DATA_DIR?.trim() || './data'
  if (dataDir === 'memory://') return randomKey(48)
  const file = join(dataDir, '.secret')
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(file, randomKey(48), { mode: 0o600 })
  }
  return readFileSync(file, 'utf8').trim()
}

/** Runs a start-up step; configuration and plugin mistakes end the process with one readable line. */
async function startupStep<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`)
    else if (error instanceof PluginLoadError) console.error(`Plugin error: ${error.message}`)
    else throw error
    process.exit(1)
  }
}

/** Re-tests auto-disabled channels every `channelHealth.testIntervalMinutes`, on one replica at a time. */
function scheduleChannelRetests(context: AppContext, services: RelayServices): LeasedJob {
  const intervalMinutes = Math.max(1, context.options.get().channelHealth.testIntervalMinutes)
  return runLeasedJob({
    leases: context.leases,
    name: 'channel-retests',
    intervalMs: intervalMinutes * 60_000,
    run: async () => {
      if (context.options.get().channelHealth.testIntervalMinutes > 0) await retestDisabledChannels(context, services.directory, services.health)
    },
    onError: (error) => context.logger.log('error', 'channel re-test failed', { error: String(error) }),
  })
}

async function main() {
  startEventLoopMonitor()
  const config = await startupStep(() => loadConfig(process.env, { secret: embeddedSecret(process.env) }))
  const context = await startupStep(() => buildContext(config))
  containDriverFaults(context.logger)
  const rootMessage = rootStartupMessage(await ensureRootUser(context))
  if (rootMessage) console.log(rootMessage)
  const { app, services, realtime } = await createServer(context)

  let stopping = false
  let retests: LeasedJob | undefined
  let balances: LeasedJob | undefined
  let taskPoller: LeasedJob | undefined
  async function shutdown(signal: string) {
    if (stopping) return
    stopping = true
    context.logger.log('info', 'shutting down', { signal, inflight: services.inflight.count() })
    void app.server?.stop(false)
    // Realtime sessions get the same grace period, then a close frame (1001), and are settled before the books close.
    const [left, cutSessions] = await Promise.all([
      services.inflight.drain(config.shutdownGraceSeconds * 1000),
      realtime.drain(config.shutdownGraceSeconds * 1000, 'server shutting down'),
    ])
    if (cutSessions > 0) context.logger.log('info', 'realtime sessions closed at shutdown', { sessions: cutSessions })
    await realtime.close()
    if (left > 0) context.logger.log('warn', 'shutdown grace period over; cutting remaining requests', { left })
    await app.server?.stop(true)
    await retests?.stop()
    await balances?.stop()
    await taskPoller?.stop()
    await services.observability.tracing
      ?.close()
      .catch((error: unknown) => context.logger.log('warn', 'trace export at shutdown failed', { error: String(error) }))
    await closeContext(context)
    process.exit(0)
  }
  // Handlers go in before the port opens: a supervisor may signal as soon as it sees "listening".
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  // Bun arms signal handlers on the next turn of the event loop; yield once so a signal sent right after
  // "listening" is handled rather than killing the process.
  await new Promise((resolve) => setImmediate(resolve))
  app.listen({ port: config.port, hostname: config.host })
  retests = scheduleChannelRetests(context, services)
  balances = scheduleBalanceRefresh(context, createBalanceRefresher(context, services.directory, services.health))
  taskPoller = await startTaskPoller(services)
  context.logger.log('info', 'gateway listening', {
    version: VERSION,
    port: app.server?.port,
    database: context.database.kind,
    plugins: context.registry.plugins.map((plugin) => plugin.id),
  })
}

await main()
