import { getTableColumns } from 'drizzle-orm'
import { logs } from '../db/schema.ts'
import { chargedLog, type AccountKey, type CommittedAccount, type JournalEntry } from '../billing/balance-store.ts'
import { decodeJournalEntry } from '../billing/journal-codec.ts'
import { planBatch, type BatchPlan } from './plan-batch.ts'
import type { QuotaStatRow } from './roll-up-usage.ts'
import type { LogEntry } from './log-writer.ts'

// One group commit as plain SQL over the smallest connection interface, so it runs wherever the
// database is: inside the PGlite thread (no round trip per statement, no drizzle), or on a PostgreSQL
// connection. A batch crosses as text: plain log rows as one JSON array, journaled charges as the very
// journal lines that made them durable, so nothing is serialised twice on the thread serving requests.
// Log rows go in with COPY (several times cheaper than INSERT per row); balances, rollups and channel
// spend as set-based statements over one JSON parameter each.

/** One statement with `$1`…`$n` parameters. */
export interface SqlStatement {
  sql: string
  params: unknown[]
}

/** A statement runner inside one transaction. */
export interface SqlSession {
  /**
   * Runs the statements in order, in as few round trips as the database allows; each one's rows (objects keyed
   * by column name). One failing fails the call, and the transaction with it.
   */
  queryAll(statements: SqlStatement[]): Promise<Array<Array<Record<string, unknown>>>>
  /** Loads CSV text into a table: `COPY … FROM … WITH (FORMAT csv)`, `sql` naming the table and columns. */
  copyCsv(table: string, columns: string[], csv: string): Promise<void>
}

/** Whatever can run a function inside one transaction. */
export interface SqlTransactor {
  /** Commits when `run` resolves, rolls back when it throws. */
  transaction<T>(run: (session: SqlSession) => Promise<T>): Promise<T>
}

/** Where the batch's journal position is recorded, and whether another process may race for it. */
export interface CursorUpdate {
  /** Row name in ledger_state. */
  name: string
  /** The new position. */
  position: string
  /** When set, the row must still hold this value (or be absent when null): another committer may have moved it. */
  expected?: string | null
}

/** A batch as it crosses to the writer. */
export interface BatchMessage {
  /** Plain log rows (errors, audit, system) as one JSON array; '' for none. */
  rows: string
  /** Journaled charges, one journal line each, '\n'-separated ('' for none); as UTF-8 bytes when the journal had them. */
  charges: string | Uint8Array
  /** The journal cursor to move with the batch. */
  cursor?: CursorUpdate
  /** Time for rows that carry none (ISO). */
  now: string
}

/** What a committed batch did to the balances. */
export interface BatchResult {
  /** Each charged account: the units moved out of pending, and its row afterwards. */
  accounts: CommittedAccount[]
  /** Log rows written. */
  rows: number
}

/** Thrown when the cursor moved under us: another process committed these entries, so this batch must not. */
export class CursorConflictError extends Error {
  override name = 'CursorConflictError'
}

/** PostgreSQL's largest `integer`. */
const INT4_MAX = 2_147_483_647

/** The largest number a column of this SQL type holds as written here (bigint: ±2^53, where numbers stay exact); 0 for a type that is not an integer. */
function integerLimit(sqlType: string): number {
  if (/^(integer|serial)$/.test(sqlType)) return INT4_MAX
  return /int|serial/.test(sqlType) ? Number.MAX_SAFE_INTEGER : 0
}

/** A number rounded and held within ±max, so a column can take it. */
function heldWithin(value: number, max: number): number {
  return Math.min(max, Math.max(-max, Math.round(value)))
}

/** The logs table's columns (all but the id), with their field names and types, from the schema itself. */
const logColumns = Object.entries(getTableColumns(logs))
  .filter(([, column]) => column.name !== 'id')
  .map(([field, column]) => ({
    field,
    name: column.name,
    // Largest value the column holds: a number past it would fail the COPY, and with it every retry of the batch.
    integerMax: integerLimit(column.getSQLType()),
    // A NOT NULL column's plain default, written when a row leaves the field out (COPY applies no defaults).
    fallback: column.notNull && column.hasDefault && (typeof column.default === 'number' || typeof column.default === 'boolean') ? column.default : undefined,
  }))

/**
 * JSON text with every NUL (`\u0000`, the only way JSON carries one) written as U+FFFD: PostgreSQL's text
 * and jsonb cannot hold NUL, and a client's model name or prompt holding one once failed the whole batch,
 * its charges with it, on every retry. An escaped backslash before `u0000` is text, and left alone.
 */
export function withoutNulEscapes(json: string): string {
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json
}

/**
 * One CSV field: NULL is an empty field, so every string is quoted (an empty string stays a string).
 * `integerMax` is the column's largest integer (0: not an integer column); numbers are rounded and held
 * within ±integerMax, so no number in a row can refuse the whole batch.
 */
function csvField(value: unknown, integerMax: number): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return ''
    return String(integerMax === 0 ? value : heldWithin(value, integerMax))
  }
  if (typeof value === 'boolean') return value ? 't' : 'f'
  const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value)
  return `"${text.replaceAll('"', '""')}"`
}

/**
 * Rows or journal lines handled between two yields to the event loop while a batch is prepared: on PostgreSQL that
 * happens on the gateway's own thread, where a batch prepared in one go (~800 charges at c=50) held every call for
 * ~9 ms on average, 35 ms at worst; in pieces, the longest stretch is ~3 ms.
 */
const ROWS_PER_TURN = 128

/** Lets the event loop run whatever is waiting (calls, timers) before the batch's preparation goes on. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Log rows as COPY CSV text, yielding every ROWS_PER_TURN rows. */
export async function logsCsv(rows: LogEntry[]): Promise<string> {
  let csv = ''
  for (let done = 0; done < rows.length; done++) {
    if (done > 0 && done % ROWS_PER_TURN === 0) await nextTurn()
    const row = rows[done]!
    const record = row as Record<string, unknown>
    let line = ''
    for (let index = 0; index < logColumns.length; index++) {
      const column = logColumns[index]!
      if (index > 0) line += ','
      const value = record[column.field]
      // A number that is not one (NaN, Infinity) is left out like a missing field: its column's default, or NULL.
      line += csvField(
        value === undefined || value === null || (typeof value === 'number' && !Number.isFinite(value)) ? column.fallback : value,
        column.integerMax,
      )
    }
    csv += `${line}\n`
  }
  return csv
}

const utf8 = new TextDecoder()

/** Reads a batch message back into rows and journal entries, yielding every ROWS_PER_TURN lines. */
export async function readBatchMessage(message: BatchMessage): Promise<{ rows: LogEntry[]; charges: JournalEntry[] }> {
  const rows = message.rows === '' ? [] : (JSON.parse(withoutNulEscapes(message.rows)) as LogEntry[])
  for (const row of rows) if (typeof row.createdAt === 'string') row.createdAt = new Date(row.createdAt)
  const charges: JournalEntry[] = []
  const lines = typeof message.charges === 'string' ? message.charges : utf8.decode(message.charges)
  if (lines !== '') {
    for (const line of withoutNulEscapes(lines).split('\n')) {
      if (line === '') continue
      if (charges.length > 0 && charges.length % ROWS_PER_TURN === 0) await nextTurn()
      const entry = decodeJournalEntry(line)
      if (!entry) throw new Error('A journal line of the batch is not a whole entry')
      // The row records what was actually charged, whoever built the line.
      chargedLog(entry.log, entry.charged)
      charges.push(entry)
    }
  }
  return { rows, charges }
}

/** A token count as a whole number PostgreSQL's bigint takes: rounded, non-numbers as 0, held within ±2^53. */
function wholeCount(value: number): number {
  return Number.isFinite(value) ? heldWithin(value, Number.MAX_SAFE_INTEGER) : 0
}

function rollupStatement(table: 'quota_stats' | 'quota_stats_daily', bucket: 'hour' | 'day', rows: QuotaStatRow[]): SqlStatement {
  const json = JSON.stringify(
    rows.map((row) => ({
      b: row.hour,
      u: row.userId,
      t: row.tokenId,
      c: row.channelId,
      m: row.model,
      r: row.requests,
      // bigint columns: a fraction or a non-number would refuse the batch (see wholeCount).
      p: wholeCount(row.promptTokens),
      o: wholeCount(row.completionTokens),
      q: row.quota,
    })),
  )
  return {
    sql: `
    insert into "${table}" ("${bucket}", user_id, token_id, channel_id, model, requests, prompt_tokens, completion_tokens, quota)
    select r.b, r.u, r.t, r.c, r.m, r.r, r.p, r.o, r.q
    from jsonb_to_recordset($1::text::jsonb) as r(b timestamptz, u integer, t integer, c integer, m text, r bigint, p bigint, o bigint, q bigint)
    on conflict ("${bucket}", user_id, token_id, channel_id, model) do update set
      requests = "${table}".requests + excluded.requests,
      prompt_tokens = "${table}".prompt_tokens + excluded.prompt_tokens,
      completion_tokens = "${table}".completion_tokens + excluded.completion_tokens,
      quota = "${table}".quota + excluded.quota`,
    params: [json],
  }
}

/** Moves the journal cursor; with `expected`, only from that value (the statement then returns a row when it moved). */
function cursorStatement(cursor: CursorUpdate): SqlStatement {
  if (cursor.expected === undefined)
    return {
      sql: `insert into ledger_state (name, value) values ($1, $2) on conflict (name) do update set value = excluded.value, updated_at = now()`,
      params: [cursor.name, cursor.position],
    }
  // An insert happens only when the row is absent, which `expected: null` asserts.
  return {
    sql: `insert into ledger_state (name, value) values ($1, $2)
    on conflict (name) do update set value = excluded.value, updated_at = now() where ledger_state.value = $3
    returning name`,
    params: [cursor.name, cursor.position, cursor.expected],
  }
}

/**
 * Writes a planned batch through one session: the usage rows with COPY, every other change as one round of
 * statements (one round trip inside the PGlite thread, where each statement used to cost ~1 ms of CPU).
 * Returns each charged account's row as the batch left it. `logsText` is the plan's usage rows as COPY CSV (logsCsv).
 */
export async function writePlan(session: SqlSession, plan: BatchPlan, logsText: string, cursor?: CursorUpdate): Promise<CommittedAccount[]> {
  const statements: SqlStatement[] = []
  const at = (statement: SqlStatement) => statements.push(statement) - 1
  const usersAt =
    plan.users.length === 0
      ? -1
      : at({
          sql: `
      update users set quota = users.quota - d.charged, used_quota = users.used_quota + d.charged,
        request_count = users.request_count + d.requests, balance_version = users.balance_version + 1
      from jsonb_to_recordset($1::text::jsonb) as d(id integer, charged bigint, requests bigint)
      where users.id = d.id
      returning users.id, users.quota, users.balance_version`,
          params: [JSON.stringify(plan.users)],
        })
  const tokensAt =
    plan.tokens.length === 0
      ? -1
      : at({
          sql: `
      update tokens set remain_quota = tokens.remain_quota - d."debit", used_quota = tokens.used_quota + d.charged,
        balance_version = tokens.balance_version + case when d."debit" <> 0 then 1 else 0 end,
        last_used_at = greatest(tokens.last_used_at, d."lastUsedAt")
      from jsonb_to_recordset($1::text::jsonb) as d(id integer, "debit" bigint, charged bigint, "lastUsedAt" timestamptz)
      where tokens.id = d.id
      returning tokens.id, tokens.remain_quota, tokens.balance_version`,
          params: [JSON.stringify(plan.tokens)],
        })
  if (plan.hourly.length > 0) at(rollupStatement('quota_stats', 'hour', plan.hourly))
  if (plan.daily.length > 0) at(rollupStatement('quota_stats_daily', 'day', plan.daily))
  if (plan.channels.length > 0)
    at({
      sql: `update channels set used_quota = channels.used_quota + d.spent
      from jsonb_to_recordset($1::text::jsonb) as d(id integer, spent bigint) where channels.id = d.id`,
      params: [JSON.stringify(plan.channels)],
    })
  const cursorAt = cursor ? at(cursorStatement(cursor)) : -1
  if (plan.logs.length > 0)
    await session.copyCsv(
      'logs',
      logColumns.map((column) => column.name),
      logsText,
    )
  const results = statements.length === 0 ? [] : await session.queryAll(statements)
  if (cursor?.expected !== undefined && results[cursorAt]?.length === 0)
    throw new CursorConflictError(`ledger cursor ${cursor.name} is no longer at ${cursor.expected}`)
  const stored = new Map<AccountKey, { quota: number; version: number }>()
  for (const row of results[usersAt] ?? []) stored.set(`u:${Number(row.id)}`, { quota: Number(row.quota), version: Number(row.balance_version) })
  for (const row of results[tokensAt] ?? []) stored.set(`t:${Number(row.id)}`, { quota: Number(row.remain_quota), version: Number(row.balance_version) })
  return [...plan.accounts].map(([key, charged]) => ({ key, charged, stored: stored.get(key) }))
}

/** Writes one batch message in one transaction. */
export async function writeBatchMessage(database: SqlTransactor, message: BatchMessage): Promise<BatchResult> {
  const { rows, charges } = await readBatchMessage(message)
  const plan = planBatch(rows, charges, new Date(message.now))
  // Prepared before the transaction opens, so its locks are held only while the statements run.
  const logsText = await logsCsv(plan.logs)
  const accounts = await database.transaction((session) => writePlan(session, plan, logsText, message.cursor))
  return { accounts, rows: plan.logs.length }
}
