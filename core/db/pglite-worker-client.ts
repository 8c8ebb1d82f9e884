import { existsSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BatchMessage, BatchResult } from '../jobs/batch-sql.ts'
import type { QueryOptions, Results } from '@electric-sql/pglite'
import type { Logger } from '../app-context.ts'
import type { OpenResult, PgliteModules, UnnumberedRequest, WorkerMemory } from './pglite-protocol.ts'
import { createWorkerChannel, PGLITE_THREAD_NAME, type WorkerChannel } from './pglite-worker-channel.ts'
import { BACKGROUND_THREAD_NICENESS, lowerThreadPriority } from '../runtime/thread-priority.ts'
import { DEFAULT_TEMPLATE_DIR, extractTemplate, findTemplate, installedPgliteVersion } from './pglite-template.ts'

// The main thread's side of the PGlite worker: an object with the methods drizzle's pglite driver and
// migrator call (`query` with rowMode and parsers, `transaction` whose `tx.query` runs inside it), so
// `drizzle(client)` works unchanged while every statement runs on another thread.

const WORKER_URL = new URL('./pglite-worker.ts', import.meta.url).href

/** Why requests fail once `close()` has run. */
const CLOSED_MESSAGE = 'PGlite is closed (the embedded database was shut down)'

/** A transaction on the worker, as `transaction`'s callback sees it (PGlite's `Transaction`, minus listen/exec). */
export interface PgliteWorkerTransaction {
  /** Runs one statement inside this transaction. */
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  /** Rolls back now; the transaction then returns without committing. */
  rollback(): Promise<void>
  /** True once committed or rolled back. */
  readonly closed: boolean
}

/** The slice of PGlite's interface that drizzle uses, answered by PGlite on a worker thread. */
export interface PgliteWorkerClient {
  /** Runs one statement; queues behind an open transaction as PGlite does. */
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  /** BEGIN, the callback's queries, then COMMIT, or ROLLBACK when the callback throws. */
  transaction<T>(callback: (tx: PgliteWorkerTransaction) => Promise<T>): Promise<T>
  /** Writes one group commit inside the worker, in one transaction. */
  writeBatch(batch: BatchMessage): Promise<BatchResult>
  /** The worker thread's heap and WebAssembly memory, for tests and measurements. */
  memory(): Promise<WorkerMemory>
  /** Closes PGlite, then ends the thread; idempotent. Later queries fail with a clear error. */
  close(): Promise<void>
}

/** Where the worker opens PGlite and how. */
export interface PgliteWorkerOptions {
  /** A directory for PGlite's files, or `memory://`. */
  dataDir: string
  /** Postgres start parameters (see pglite-settings.ts). */
  startParams: string[]
  /** Receives the reason when the worker dies. */
  logger: Logger
  /** The worker script; tests substitute one that can be made to die. */
  workerUrl?: string
  /** Where to look for a cluster template (pglite-template.ts); DEFAULT_TEMPLATE_DIR unless a test says otherwise. */
  templateDir?: string
}

/** Starts the worker, opens PGlite in it and returns the client; rejects (and ends the worker) when PGlite cannot open. */
export async function openPgliteWorker(options: PgliteWorkerOptions): Promise<PgliteWorkerClient> {
  const modules = await compiledModules()
  const template = await prepareCluster(options, modules)
  const channel = createWorkerChannel(options.workerUrl ?? WORKER_URL, options.logger)
  try {
    await channel.request({ kind: 'open', dataDir: options.dataDir, startParams: options.startParams, modules, template })
  } catch (error) {
    channel.terminate(new Error(CLOSED_MESSAGE))
    throw error
  }
  // Opened at full priority; from now on most of its work is the log writer's, which no answer waits for
  // (a lower nice value only costs it CPU time while other threads want the same cores).
  lowerThreadPriority(PGLITE_THREAD_NAME, BACKGROUND_THREAD_NICENESS)
  const query = <T>(sql: string, params?: unknown[], queryOptions?: QueryOptions, transactionId?: number) =>
    channel.request(queryRequest(sql, params, queryOptions, transactionId), { query: sql, params, options: queryOptions }) as Promise<Results<T>>
  let closing: Promise<void> | undefined
  return {
    query: (sql, params, queryOptions) => query(sql, params, queryOptions),
    transaction: (callback) => runTransaction(channel, query, callback),
    // The journal lines' buffer is the batch's own (log-writer.ts): moved to the thread, not copied.
    writeBatch: (batch) =>
      channel.request(
        { kind: 'batch', batch },
        undefined,
        typeof batch.charges === 'string' ? undefined : [batch.charges.buffer as ArrayBuffer],
      ) as Promise<BatchResult>,
    memory: () => channel.request({ kind: 'memory' }) as Promise<WorkerMemory>,
    close: () => (closing ??= closeWorker(channel)),
  }
}

/**
 * A fresh cluster's files (40 MB, before any migration), kept after the first `memory://` open so later
 * ones skip initdb: about 0.15 s instead of 1.2 s, which tests opening hundreds of databases feel. The
 * first comes from the installed template when there is one (ungzipped once here, not at every open).
 */
let memoryTemplate: Promise<Blob> | undefined

/**
 * Makes the cluster when there is none yet: from the installed template for this PGlite version
 * (pglite-template.ts), else by initdb in a worker of its own. For `memory://`, returns the files to start from.
 */
async function prepareCluster(options: PgliteWorkerOptions, modules: PgliteModules): Promise<Blob | undefined> {
  const templateDir = options.templateDir ?? DEFAULT_TEMPLATE_DIR
  if (options.dataDir === 'memory://') {
    memoryTemplate ??= memoryClusterFiles(findTemplate(templateDir, installedPgliteVersion()), options, modules)
    // A failure (say, a worker that could not start) should not stick for the rest of the process.
    memoryTemplate.catch(() => (memoryTemplate = undefined))
    return memoryTemplate
  }
  if (existsSync(join(options.dataDir, 'PG_VERSION'))) return undefined
  const template = findTemplate(templateDir, installedPgliteVersion())
  // A directory with files but no cluster (not one this gateway left) gets initdb over them, as it always did.
  if (template && isEmptyDirectory(options.dataDir)) {
    try {
      extractTemplate(template, options.dataDir)
      // The unpacked tar (40 MB) is garbage now; collected here, it is not still there when the first
      // start's migrations and root password hash (argon2id: 64 MB) raise the peak (-17 and -38 MB in two A/B triples).
      Bun.gc(true)
      options.logger.log('info', 'embedded database created from its template', { template })
      return undefined
    } catch (error) {
      options.logger.log('warn', 'embedded database template did not load; running initdb instead', { template, error: String(error) })
    }
  } else if (!template) {
    options.logger.log('warn', 'no embedded database template for this PGlite version: running initdb (RSS peaks near 1 GB for a second or two)', {
      pgliteVersion: installedPgliteVersion(),
      templateDir,
      hint: 'npm install makes it (scripts/make-pglite-template.ts)',
    })
  }
  await createCluster(options, modules)
  return undefined
}

/** True when the directory does not exist or holds nothing. */
function isEmptyDirectory(path: string): boolean {
  return !existsSync(path) || readdirSync(path).length === 0
}

/** The template's cluster files as an uncompressed tar, or initdb's when there is no usable template. */
async function memoryClusterFiles(templatePath: string | undefined, options: PgliteWorkerOptions, modules: PgliteModules): Promise<Blob> {
  if (templatePath) {
    try {
      return new Blob([Bun.gunzipSync(await Bun.file(templatePath).bytes())], { type: 'application/x-tar' })
    } catch (error) {
      options.logger.log('warn', 'embedded database template did not load; running initdb instead', { template: templatePath, error: String(error) })
    }
  }
  return (await createCluster(options, modules))!
}

/**
 * Runs initdb in a worker of its own. PGlite does it in a second instance on the same thread, and the
 * memory that took (about 900 MB at the peak) stays with the thread: 600 MB of RSS for as long as the
 * gateway runs. A thread that ends gives it back.
 */
async function createCluster(options: PgliteWorkerOptions, modules: PgliteModules): Promise<Blob | undefined> {
  const channel = createWorkerChannel(options.workerUrl ?? WORKER_URL, options.logger)
  try {
    const makeTemplate = options.dataDir === 'memory://'
    const { template } = (await channel.request({
      kind: 'open',
      dataDir: options.dataDir,
      startParams: options.startParams,
      modules,
      makeTemplate,
    })) as OpenResult
    await channel.request({ kind: 'close' })
    return template
  } finally {
    channel.terminate(new Error(CLOSED_MESSAGE))
  }
}

let compiling: Promise<PgliteModules> | undefined

/**
 * PGlite caches its compiled WebAssembly per JavaScript realm, and each worker is a new realm: without
 * this, every open would compile the 9 MB module again (about 0.2 s of CPU, twice for a new cluster).
 */
function compiledModules(): Promise<PgliteModules> {
  compiling ??= Promise.all(
    ['pglite.wasm', 'initdb.wasm'].map(async (file) => WebAssembly.compile(await readFile(new URL(file, import.meta.resolve('@electric-sql/pglite'))))),
  ).then(([pglite, initdb]) => ({ pglite: pglite!, initdb: initdb! }))
  // A failed compile (file missing) should not stick for the rest of the process.
  compiling.catch(() => (compiling = undefined))
  return compiling
}

type RunQuery = <T>(sql: string, params?: unknown[], options?: QueryOptions, transactionId?: number) => Promise<Results<T>>

async function runTransaction<T>(channel: WorkerChannel, query: RunQuery, callback: (tx: PgliteWorkerTransaction) => Promise<T>): Promise<T> {
  const transactionId = (await channel.request({ kind: 'begin' })) as number
  let closed = false
  const end = async (commit: boolean) => {
    closed = true
    await channel.request({ kind: 'end', transactionId, commit })
  }
  const closedError = () => new Error('Transaction is closed')
  const tx: PgliteWorkerTransaction = {
    query: (sql, params, options) => (closed ? Promise.reject(closedError()) : query(sql, params, options, transactionId)),
    rollback: () => (closed ? Promise.reject(closedError()) : end(false)),
    get closed() {
      return closed
    },
  }
  let result: T
  try {
    result = await callback(tx)
  } catch (error) {
    // The caller's error is the one that matters; a rollback that fails too (worker gone) adds nothing.
    if (!closed) await end(false).catch(() => {})
    throw error
  }
  if (!closed) await end(true)
  return result
}

async function closeWorker(channel: WorkerChannel): Promise<void> {
  try {
    if (channel.running()) await channel.request({ kind: 'close' })
  } catch (error) {
    // A worker that died meanwhile has nothing left to close; PGlite's own close failing is news.
    if (channel.running()) throw error
  } finally {
    channel.terminate(new Error(CLOSED_MESSAGE))
  }
}

function queryRequest(sql: string, params: unknown[] | undefined, options: QueryOptions | undefined, transactionId: number | undefined): UnnumberedRequest {
  return {
    kind: 'query',
    sql,
    params: params ?? [],
    rowMode: options?.rowMode,
    rawTextTypes: rawTextTypes(options),
    paramTypes: options?.paramTypes,
    transactionId,
  }
}

/** A timestamp-like text that any parser keeping the text as sent returns unchanged. */
const PARSER_PROBE = '2001-02-03 04:05:06.789+00'

/**
 * The type ids whose text the worker should hand back unparsed. Functions cannot cross threads, so
 * only parsers of that kind (drizzle's, for dates, intervals and numeric arrays) are accepted.
 */
function rawTextTypes(options: QueryOptions | undefined): number[] {
  if (!options) return []
  if (options.serializers || options.blob || options.onNotice) throw new Error('serializers, blob and onNotice cannot cross to the PGlite worker')
  const parsers = Object.entries(options.parsers ?? {})
  if (parsers.some(([, parse]) => parse(PARSER_PROBE) !== PARSER_PROBE))
    throw new Error('Only parsers that keep the text as sent can cross to the PGlite worker')
  return parsers.map(([type]) => Number(type))
}
