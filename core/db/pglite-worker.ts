import { PGlite, type ParserOptions, type Results, type Transaction } from '@electric-sql/pglite'
import type { MessagePort } from 'node:worker_threads'
import { heapStats } from 'bun:jsc'
import { serializeError, type OpenResult, type WorkerMemory, type WorkerReply, type WorkerRequest, type WorkerSetup } from './pglite-protocol.ts'
import { writeBatchMessage, type SqlTransactor } from '../jobs/batch-sql.ts'
import { pgliteTransactor } from './sql-transactors.ts'

// The thread that owns PGlite. Its WebAssembly and its emulated file system run here, so a slow
// statement stalls this thread and not the event loop that serves requests. Started through
// pglite-worker-client.ts (pglite-worker-channel.ts carries the messages of pglite-protocol.ts).

declare const self: Worker

/** A transaction the main thread is inside: its PGlite handle and how to end it. */
interface OpenTransaction {
  tx: Transaction
  finish(commit: boolean): void
  done: Promise<void>
}

let replies: MessagePort | undefined
let announced: Int32Array | undefined
let pg: PGlite | undefined
let transactor: SqlTransactor | undefined
const transactions = new Map<number, OpenTransaction>()
const parserSets = new Map<string, ParserOptions>()

self.onmessage = (event: MessageEvent<WorkerRequest | WorkerSetup>) => {
  const request = event.data
  if (request.kind === 'setup') {
    replies = request.replies
    announced = new Int32Array(request.announced)
    return
  }
  handle(request).then(
    (value) => {
      reply({ id: request.id, ok: true, value })
      if (request.kind === 'query') collectAfterBigResults(value as Results)
    },
    (error: unknown) => reply({ id: request.id, ok: false, error: serializeError(error) }),
  )
}

/** Posts the reply, then bumps the counter the main thread waits on (in that order, so it is there to read). */
function reply(message: WorkerReply): void {
  if (!replies || !announced) throw new Error('The PGlite worker was not set up')
  replies.postMessage(message)
  Atomics.add(announced, 0, 1)
  Atomics.notify(announced, 0)
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.kind) {
    case 'open':
      return open(request)
    case 'query':
      return query(request)
    case 'begin':
      return begin(request.id)
    case 'end':
      return end(request.transactionId, request.commit)
    case 'close':
      return close()
    case 'memory':
      return memory()
    case 'batch':
      return writeBatchMessage((transactor ??= pgliteTransactor(opened())), request.batch)
  }
}

async function open(request: Extract<WorkerRequest, { kind: 'open' }>): Promise<OpenResult> {
  const options = {
    startParams: request.startParams,
    pgliteWasmModule: request.modules.pglite,
    initdbWasmModule: request.modules.initdb,
    loadDataDir: request.template,
  }
  const instance = request.dataDir === 'memory://' ? new PGlite(options) : new PGlite(request.dataDir, options)
  await instance.waitReady
  pg = instance
  if (!request.makeTemplate) return {}
  // A checkpoint first, so a copy starts without replaying anything.
  await instance.exec('CHECKPOINT')
  return { template: await instance.dumpDataDir('none') }
}

function opened(): PGlite {
  if (!pg) throw new Error('PGlite is not open in this worker')
  return pg
}

async function query(request: Extract<WorkerRequest, { kind: 'query' }>): Promise<unknown> {
  const target = request.transactionId === undefined ? opened() : transactions.get(request.transactionId)?.tx
  // PGlite's own words for a query on a finished transaction.
  if (!target) throw new Error('Transaction is closed')
  return target.query(request.sql, request.params, { rowMode: request.rowMode, parsers: rawTextParsers(request.rawTextTypes), paramTypes: request.paramTypes })
}

/**
 * Parsers that hand these types back as the text Postgres sent, the fixed set drizzle asks for
 * (timestamps, dates, intervals, numeric arrays): its column mappers expect strings.
 */
function rawTextParsers(types: number[]): ParserOptions | undefined {
  if (types.length === 0) return undefined
  const key = types.join(',')
  let parsers = parserSets.get(key)
  if (!parsers) {
    parsers = Object.fromEntries(types.map((type) => [type, (value: string) => value]))
    parserSets.set(key, parsers)
  }
  return parsers
}

/**
 * Starts a PGlite transaction that stays open until the main thread ends it. PGlite holds its
 * transaction lock meanwhile, so queries from outside the transaction queue behind it rather than
 * running inside it; those tagged with this transaction's id run through `tx`.
 */
async function begin(id: number): Promise<number> {
  let finish!: (commit: boolean) => void
  const outcome = new Promise<boolean>((resolve) => (finish = resolve))
  let started!: (tx: Transaction) => void
  const begun = new Promise<Transaction>((resolve) => (started = resolve))
  const done = opened().transaction(async (tx) => {
    started(tx)
    const commit = await outcome
    if (!commit && !tx.closed) await tx.rollback()
  })
  // BEGIN itself can fail (PGlite closing): then the callback never runs and `done` rejects first.
  const tx = await Promise.race([begun, done.then(() => begun)])
  transactions.set(id, { tx, finish, done })
  return id
}

async function end(transactionId: number, commit: boolean): Promise<null> {
  const open = transactions.get(transactionId)
  if (!open) throw new Error('Transaction is closed')
  open.finish(commit)
  try {
    await open.done
  } finally {
    transactions.delete(transactionId)
  }
  return null
}

/** Result cells (rows × columns) this thread returns between two collections of its garbage. */
const COLLECT_AFTER_CELLS = 100_000

let cellsSinceCollection = 0
let collections = 0

/**
 * Asks for a collection once results totalling COLLECT_AFTER_CELLS cells went out. PGlite copies each
 * result's bytes two or three times into fresh buffers, and this thread's heap counts PGlite's
 * WebAssembly memory (128 MB) and modules as its own, so JavaScriptCore, which collects when the heap
 * grew by a share of its size, let the buffers of many big results pile up first: exporting 24,000
 * log rows (1,000 per query) added ~100 MB to the gateway's RSS. With this, garbage is bounded by
 * about 2,500 log rows of results whatever the export's size. Queries of a few rows never reach it.
 */
function collectAfterBigResults(result: Results): void {
  cellsSinceCollection += result.rows.length * Math.max(1, result.fields.length)
  if (cellsSinceCollection < COLLECT_AFTER_CELLS) return
  cellsSinceCollection = 0
  collections += 1
  // Asynchronous: the collection runs beside the next queries instead of stalling this thread.
  Bun.gc(false)
}

/** This thread's heap and PGlite's WebAssembly memory, as they are (no collection first). */
function memory(): WorkerMemory {
  const stats = heapStats()
  return { heapBytes: stats.heapSize, extraBytes: stats.extraMemorySize, wasmBytes: opened().Module.HEAPU8.byteLength, collections }
}

/** Closes PGlite once what it already queued has run; later requests get PGlite's own "closed" errors. */
async function close(): Promise<null> {
  if (pg && !pg.closed) await pg.close()
  return null
}
