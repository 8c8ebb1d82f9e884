import { and, desc, getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import type { Db } from '../../db/client.ts'
import { logs } from '../../db/schema.ts'
import type { LogFilterQuery, LogView } from '../../../schemas/admin/logs.ts'
import type { Actor } from '../../http/actor.ts'
import { csvRow, type CsvValue } from '../../http/csv.ts'
import { logFilters, toLogView } from './log-query.ts'

/** Rows read per query while exporting; the stream holds at most one batch at a time. */
export const EXPORT_BATCH_SIZE = 1000

/** A number inside a log's details (the price breakdown), or empty. */
function detailNumber(details: Record<string, unknown> | null, ...path: string[]): number | null {
  let value: unknown = details
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function detailText(details: Record<string, unknown> | null, key: string): string | null {
  const value = details?.[key]
  return typeof value === 'string' ? value : null
}

/** The export's columns: the log row, its price breakdown flattened, and the raw details JSON last. */
const COLUMNS: ReadonlyArray<readonly [string, (row: LogView) => CsvValue]> = [
  ['id', (row) => row.id],
  ['createdAt', (row) => row.createdAt],
  ['type', (row) => row.type],
  ['userId', (row) => row.userId],
  ['username', (row) => row.username],
  ['tokenId', (row) => row.tokenId],
  ['tokenName', (row) => row.tokenName],
  ['channelId', (row) => row.channelId],
  ['model', (row) => row.model],
  ['upstreamModel', (row) => row.upstreamModel],
  ['group', (row) => row.group],
  ['promptTokens', (row) => row.promptTokens],
  ['completionTokens', (row) => row.completionTokens],
  ['cacheReadTokens', (row) => row.cacheReadTokens],
  ['cacheWriteTokens', (row) => row.cacheWriteTokens],
  ['reasoningTokens', (row) => row.reasoningTokens],
  ['quota', (row) => row.quota],
  ['charged', (row) => detailNumber(row.details, 'charged')],
  ['reserved', (row) => detailNumber(row.details, 'reserved')],
  ['priced', (row) => detailNumber(row.details, 'priced')],
  ['shortfall', (row) => detailNumber(row.details, 'shortfall')],
  ['groupRatio', (row) => detailNumber(row.details, 'groupRatio')],
  ['baseUsd', (row) => detailNumber(row.details, 'baseUsd')],
  ['inputPerMTok', (row) => detailNumber(row.details, 'price', 'inputPerMTok')],
  ['outputPerMTok', (row) => detailNumber(row.details, 'price', 'outputPerMTok')],
  ['cacheReadPerMTok', (row) => detailNumber(row.details, 'price', 'cacheReadPerMTok')],
  ['cacheWritePerMTok', (row) => detailNumber(row.details, 'price', 'cacheWritePerMTok')],
  ['perCall', (row) => detailNumber(row.details, 'price', 'perCall')],
  ['outcome', (row) => detailText(row.details, 'outcome')],
  ['usageSource', (row) => detailText(row.details, 'usageSource')],
  ['latencyMs', (row) => row.latencyMs],
  ['firstTokenMs', (row) => row.firstTokenMs],
  ['isStream', (row) => row.isStream],
  ['statusCode', (row) => row.statusCode],
  ['requestId', (row) => row.requestId],
  ['ip', (row) => row.ip],
  ['content', (row) => row.content],
  ['details', (row) => (row.details === null ? null : JSON.stringify(row.details))],
]

/** The CSV header row. */
export function logCsvHeader(): string {
  return csvRow(COLUMNS.map(([name]) => name))
}

/** One log row as a CSV row. */
export function logCsvRow(row: LogView): string {
  return csvRow(COLUMNS.map(([, value]) => value(row)))
}

/** `2025-01-31T12:00:00.000Z` → `20250131T120000Z`, safe in a file name on every system. */
function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(/[-:]/g, '')
}

/** `logs-<from>-<to>.csv`; an open start is `beginning`, an open end the time of the export. */
export function exportFileName(query: LogFilterQuery, now: Date): string {
  const from = query.from ? fileStamp(new Date(query.from)) : 'beginning'
  return `logs-${from}-${fileStamp(query.to ? new Date(query.to) : now)}.csv`
}

/** Where the next batch starts: a row timestamp as text (so microseconds survive the round trip), and whether rows at it are still to come. */
interface Cursor {
  at: string
  inclusive: boolean
}

/** A log row with its timestamp as text and in microseconds, for cursors and ordering ties. */
type BatchRow = typeof logs.$inferSelect & { cursorAt: string; micros: string }

/** Newest first, ties on one timestamp by id descending: the order GET /api/logs uses. */
function newestFirst(a: BatchRow, b: BatchRow): number {
  const byTime = BigInt(b.micros) - BigInt(a.micros)
  return byTime === 0n ? b.id - a.id : byTime > 0n ? 1 : -1
}

/**
 * The planner settings for the export's batch queries, local to each batch's transaction. Without
 * table statistics (PGlite never runs autovacuum) the planner guesses a few dozen rows and picks a
 * bitmap scan plus a sort of everything left, or, with no filter, a sequential scan of the whole table
 * and a top-N sort: every batch then reads the whole table. With both off, every batch walks a
 * (…, created_at) index from the cursor down, so batches cost the same at the end of a million rows as
 * at the start. A request id names one call's few rows, so that filter keeps its own index and sorts them.
 */
export function exportPlanSettings(query: LogFilterQuery): SQL {
  // set_config(…, true) is SET LOCAL; one statement, so one round trip to the database per batch.
  const sort = query.requestId ? 'on' : 'off'
  return sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', ${sort}, true)`
}

/**
 * One batch of the export: rows ordered by created_at alone, which the (…, created_at) indexes deliver
 * without sorting (a second sort key would make every batch sort all remaining rows), with each row's
 * timestamp as text and in microseconds for the cursor. The log writer stamps a whole flush with one
 * time, so ties are common: logCsvStream's `nextRows` handles them.
 */
export function exportBatchQuery(db: Pick<Db, 'select'>, conditions: SQL[], limit?: number) {
  const statement = db
    .select({
      ...getTableColumns(logs),
      cursorAt: sql<string>`${logs.createdAt}::text`,
      micros: sql<string>`(extract(epoch from ${logs.createdAt}) * 1000000)::bigint::text`,
    })
    .from(logs)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(logs.createdAt))
  return limit === undefined ? statement : statement.limit(limit)
}

/** What a caller may observe of the producer (tests count the batches it pulled). */
export interface ExportObserver {
  /** Rows per query; default EXPORT_BATCH_SIZE. */
  batchSize?: number
  /** Called after each batch is read from the database, with its row count. */
  onBatch?: (rows: number) => void
}

/**
 * The matching logs as a CSV byte stream, in the list's order (newest first, then id). Each pull reads
 * the next keyset page below the last timestamp, so memory holds one batch whatever the total, a slow
 * client slows the queries down, and a client that goes away stops them (cancel ends the loop).
 */
export function logCsvStream(context: AppContext, actor: Actor, query: LogFilterQuery, observer: ExportObserver = {}): ReadableStream<Uint8Array> {
  const db = context.database.db
  const batchSize = observer.batchSize ?? EXPORT_BATCH_SIZE
  const filters = logFilters(actor, query)
  const encoder = new TextEncoder()
  let cursor: Cursor | undefined
  let finished = false
  let cancelled = false
  let reading: Promise<unknown> = Promise.resolve()

  /** One batch's rows, in a transaction of its own so the planner settings stay with this statement. */
  function select(where: SQL[], limit?: number) {
    return db.transaction(async (tx) => {
      await tx.execute(exportPlanSettings(query))
      return exportBatchQuery(tx, [...filters, ...where], limit)
    })
  }

  /**
   * The next rows in list order. A full batch's last timestamp may continue past the limit, so rows at
   * it are held back for the next batch (which starts at that timestamp, inclusive); a batch that is
   * one timestamp only is read whole instead, so the cursor always moves.
   */
  async function nextRows(): Promise<BatchRow[]> {
    const upTo = cursor ? [cursor.inclusive ? sql`${logs.createdAt} <= ${cursor.at}::timestamptz` : sql`${logs.createdAt} < ${cursor.at}::timestamptz`] : []
    const rows = await select(upTo, batchSize)
    observer.onBatch?.(rows.length)
    const last = rows.at(-1)
    if (!last || rows.length < batchSize) {
      finished = true
      return rows.sort(newestFirst)
    }
    const complete = rows.filter((row) => row.micros !== last.micros)
    if (complete.length > 0) {
      cursor = { at: last.cursorAt, inclusive: true }
      return complete.sort(newestFirst)
    }
    const tied = await select([sql`${logs.createdAt} = ${last.cursorAt}::timestamptz`])
    observer.onBatch?.(tied.length)
    cursor = { at: last.cursorAt, inclusive: false }
    return tied.sort(newestFirst)
  }

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      // Calls that just finished are exported: their usage rows may still be in the ledger's group commit.
      await context.ledger.sync()
      controller.enqueue(encoder.encode(logCsvHeader()))
    },
    async pull(controller) {
      if (finished || cancelled) return
      const batch = nextRows()
      reading = batch.catch(() => {})
      const rows = await batch
      if (cancelled) return
      if (rows.length > 0)
        controller.enqueue(encoder.encode(rows.map(({ cursorAt: _cursorAt, micros: _micros, ...row }) => logCsvRow(toLogView(row))).join('')))
      if (finished) controller.close()
    },
    /** The client went away: no further batch is read, and cancelling completes once the one in flight (if any) is done. */
    async cancel() {
      cancelled = true
      await reading
    },
  })
}
