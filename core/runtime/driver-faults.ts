import type { Logger } from '../app-context.ts'

// postgres.js (3.4.x) can fire a deferred socket write after its connection closed: when PostgreSQL
// restarts under load, its `nextWrite` timer runs with the socket already gone and throws a TypeError
// from a setImmediate, outside any query, which would end the whole gateway. The connection is dead at
// that point and the driver reconnects on the next query, so the gateway logs it and carries on; every
// other uncaught exception still ends the process, as it would without this handler.

/** True for the driver's write-after-close fault: a TypeError about the socket, thrown from postgres.js's connection code. */
export function isDriverWriteAfterClose(error: unknown): boolean {
  return error instanceof TypeError && /socket/.test(error.message) && /[\\/]postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
}

/** Keeps the process alive through the driver's write-after-close fault; anything else uncaught is logged and ends it. */
export function containDriverFaults(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    if (isDriverWriteAfterClose(error)) {
      logger.log('warn', 'database driver wrote to a connection that had closed; it reconnects on the next query', { error: String(error) })
      return
    }
    logger.log('error', 'uncaught exception; the gateway stops', { error: error instanceof Error ? (error.stack ?? String(error)) : String(error) })
    process.exit(1)
  })
}
