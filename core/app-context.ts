import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import type { PluginRegistry } from './plugin/registry.ts'
import type { SecretBox } from './security/crypto.ts'
import type { ChangeBus } from './cache/change-bus.ts'
import type { LeaseManager } from './jobs/lease.ts'
import type { RateLimiter } from './limits/rate-limiter.ts'
import type { OptionStore } from './options.ts'
import type { LogWriter } from './jobs/log-writer.ts'
import type { TokenCounter } from './tokenize/pool.ts'
import type { QuotaLedger } from './billing/ledger.ts'

/** Logging levels in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Structured process log; one JSON line per call. */
export interface Logger {
  /** Writes one structured line when `level` is enabled. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void
}

/** The long-lived parts every route and job shares, built once by main and by tests. */
export interface AppContext {
  /** Validated configuration. */
  config: Config
  /** The open database. */
  database: Database
  /** Loaded plugins. */
  registry: PluginRegistry
  /** Encrypts channel keys at rest. */
  secretBox: SecretBox
  /** Cache invalidation, in-process or across replicas. */
  bus: ChangeBus
  /** Who runs background jobs: always this process in embedded mode, one replica at a time with Redis. */
  leases: LeaseManager
  /** Rate limits, in memory or shared through Redis. */
  limiter: RateLimiter
  /** System options. */
  options: OptionStore
  /** Batched usage and audit logs. */
  logWriter: LogWriter
  /** Balances, holds and charges: reserve, settle and refund without SQL on the request path. */
  ledger: QuotaLedger
  /** Tokenizer worker pool. */
  tokenCounter: TokenCounter
  /** Process log. */
  logger: Logger
  /** Current time; injected so tests can move it. */
  now: () => Date
}

/** A JSON-lines logger writing to stderr, filtered by level. */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
  return {
    log(entryLevel, message, fields) {
      if (order[entryLevel] < order[level]) return
      write(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, message, ...fields }))
    },
  }
}
