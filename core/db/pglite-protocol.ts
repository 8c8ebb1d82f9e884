import type { MessagePort } from 'node:worker_threads'
import { messages, TransactionAbortedError, type QueryOptions, type RowMode } from '@electric-sql/pglite'
import type { BatchMessage } from '../jobs/batch-sql.ts'

// The messages between the gateway's thread and the thread that runs PGlite. Everything here crosses
// by structured clone, which keeps Dates, BigInts, Uint8Arrays and nested arrays as they are; only
// functions (PGlite's per-query parsers) cannot cross, so the worker rebuilds those from type ids.

/**
 * The worker's first message: where to post replies, and the counter it bumps after each so the main
 * thread knows to read (see pglite-worker-channel.ts for why replies do not use the worker's own port).
 */
export interface WorkerSetup {
  kind: 'setup'
  replies: MessagePort
  announced: SharedArrayBuffer
}

/** What the main thread asks of the worker; `id` pairs each request with its reply. */
export type WorkerRequest =
  | { kind: 'open'; id: number; dataDir: string; startParams: string[]; modules: PgliteModules; template?: Blob; makeTemplate?: boolean }
  | { kind: 'query'; id: number; sql: string; params: unknown[]; rowMode?: RowMode; rawTextTypes: number[]; paramTypes?: number[]; transactionId?: number }
  | { kind: 'begin'; id: number }
  | { kind: 'end'; id: number; transactionId: number; commit: boolean }
  | { kind: 'close'; id: number }
  /** The worker's own memory figures (WorkerMemory), for tests and measurements. */
  | { kind: 'memory'; id: number }
  /** One group commit, written whole inside this thread (core/jobs/batch-sql.ts): no round trip per statement. */
  | { kind: 'batch'; id: number; batch: BatchMessage }

/** The answer to `open`: for `makeTemplate`, the new cluster's files to start later `memory://` databases from. */
export interface OpenResult {
  template?: Blob
}

/** The PGlite thread's memory: its JavaScript heap, the memory outside it the heap accounts for (buffers) and PGlite's WebAssembly memory, in bytes. */
export interface WorkerMemory {
  heapBytes: number
  extraBytes: number
  wasmBytes: number
  /** Collections the thread asked for after big results (see pglite-worker.ts). */
  collections: number
}

/** PGlite's WebAssembly, compiled once per process and handed to each worker (modules clone without recompiling). */
export interface PgliteModules {
  pglite: WebAssembly.Module
  initdb: WebAssembly.Module
}

/** A request before the channel numbers it. */
export type UnnumberedRequest = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never

/** The worker's answer to one request. */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError }

/** An error with every field PGlite gave it, as plain data. */
export interface SerializedError {
  /** Which class to rebuild on the main thread, so `instanceof` checks keep working. */
  kind: 'database' | 'transaction-aborted' | 'error'
  name: string
  message: string
  /** Own primitive fields: code, detail, constraint, table, column, schema, severity, position, … */
  fields: Record<string, string | number | boolean | null | undefined>
}

/** What PGlite attaches to a query error itself; the main thread re-attaches its own copies. */
const QUERY_FIELDS = new Set(['query', 'params', 'queryOptions'])

/** Turns whatever the worker caught into data that survives postMessage. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { kind: 'error', name: 'Error', message: String(error), fields: {} }
  const kind = error instanceof TransactionAbortedError ? 'transaction-aborted' : error instanceof messages.DatabaseError ? 'database' : 'error'
  const fields: SerializedError['fields'] = {}
  for (const [key, value] of Object.entries(error)) {
    if (QUERY_FIELDS.has(key)) continue
    if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) fields[key] = value as SerializedError['fields'][string]
  }
  return { kind, name: error.name, message: error.message, fields }
}

/** The query an error belongs to, attached the way PGlite attaches it (`query`, `params`, `queryOptions`). */
export interface QueryContext {
  query: string
  params: unknown[] | undefined
  options: QueryOptions | undefined
}

/** Rebuilds the worker's error as the same class with the same fields, as if PGlite had thrown it here. */
export function deserializeError(serialized: SerializedError, context?: QueryContext): Error {
  const error = rebuild(serialized)
  Object.assign(error, serialized.fields)
  if (context && serialized.kind !== 'error') Object.assign(error, { query: context.query, params: context.params, queryOptions: context.options })
  return error
}

function rebuild(serialized: SerializedError): Error {
  if (serialized.kind === 'transaction-aborted') return new TransactionAbortedError()
  const length = typeof serialized.fields.length === 'number' ? serialized.fields.length : 0
  if (serialized.kind === 'database') return new messages.DatabaseError(serialized.message, length, serialized.name as 'error')
  const error = new Error(serialized.message)
  error.name = serialized.name
  return error
}
