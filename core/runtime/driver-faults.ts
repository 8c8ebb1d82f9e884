import type { Logger } from '../app-context.ts'

// postgres.js (3.4.x) can fire a deferred socket write after its connection closed: when PostgreSQL
// restarts under load, its `nextWrite` timer ran with the socket already gone and threw a TypeError from
// a setImmediate, outside any query, which would end the whole gateway. patches/postgres+3.4.9.patch
// makes that write settle the connection's queries with CONNECTION_CLOSED instead (and stops a closed
// connection from keeping a stale write timer, which left it unable to send forever); this handler stays
// as the second line should another path of the driver throw the same way: the connection is dead at that
// point and reconnects on the next query, so the gateway logs it and carries on. Every other uncaught
// exception still ends the process, as it would without this handler.

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
