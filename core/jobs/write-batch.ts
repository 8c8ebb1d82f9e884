import { getTableColumns, SQL, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client.ts'
import { logs } from '../db/schema.ts'
import type { AccountKey, CommittedAccount } from '../billing/balance-store.ts'
import type { BatchPlan } from './plan-batch.ts'
import type { QuotaStatRow } from './roll-up-usage.ts'

// One group commit as a handful of set-based statements: every row of a kind travels as one JSON
// parameter expanded by jsonb_to_recordset, so a batch of a thousand calls costs the same few
// statements (and the same few round trips) as a batch of one, on PGlite and PostgreSQL alike.

/** Where the batch's journal position is recorded, and whether another process may race for it. */
export interface CursorUpdate {
  /** Row name in ledger_state. */
  name: string
  /** The new position. */
  position: string
  /** When set, the row must still hold this value (or be absent when null): another committer may have moved it. */
  expected?: string | null
}

/** Thrown when the cursor moved under us: another process committed these entries, so this batch must not. */
export class CursorConflictError extends Error {
  override name = 'CursorConflictError'
}

/** Log columns as JSON keys, record types and fallbacks, derived from the table so a new column is never forgotten. */
const logColumns = Object.entries(getTableColumns(logs))
  .filter(([, column]) => column.name !== 'id')
  .map(([field, column]) => ({ field, name: column.name, type: column.getSQLType(), fallback: column.hasDefault ? column.default : undefined }))

const logRecordType = sql.raw(logColumns.map((column) => `"${column.name}" ${column.type}`).join(', '))
const logTargetColumns = sql.raw(logColumns.map((column) => `"${column.name}"`).join(', '))
const logSelectList = sql.join(logColumns.map((column) => {
  const value = sql.raw(`r."${column.name}"`)
  if (column.fallback === undefined || column.fallback === null) return value
  const fallback = column.fallback instanceof SQL ? column.fallback : sql`${column.fallback}`
  return sql`coalesce(${value}, ${fallback})`
}), sql`, `)

/** Log rows as JSON records keyed by column name. */
function logRecords(plan: BatchPlan): string {
  return JSON.stringify(plan.logs.map((row) => {
    const record: Record<string, unknown> = {}
    for (const column of logColumns) {
      const value = (row as Record<string, unknown>)[column.field]
      if (value !== undefined) record[column.name] = value
    }
    return record
  }))
}

async function upsertRollups(db: Db, table: 'quota_stats' | 'quota_stats_daily', bucket: 'hour' | 'day', rows: QuotaStatRow[]) {
  if (rows.length === 0) return
  const json = JSON.stringify(rows.map((row) => ({ b: row.hour, u: row.userId, t: row.tokenId, c: row.channelId, m: row.model, r: row.requests, p: row.promptTokens, o: row.completionTokens, q: row.quota })))
  const target = sql.raw(`"${table}"`)
  const bucketColumn = sql.raw(`"${bucket}"`)
  await db.execute(sql`
    insert into ${target} (${bucketColumn}, user_id, token_id, channel_id, model, requests, prompt_tokens, completion_tokens, quota)
    select r.b, r.u, r.t, r.c, r.m, r.r, r.p, r.o, r.q
    from jsonb_to_recordset(${json}::jsonb) as r(b timestamptz, u integer, t integer, c integer, m text, r bigint, p bigint, o bigint, q bigint)
    on conflict (${bucketColumn}, user_id, token_id, channel_id, model) do update set
      requests = ${target}.requests + excluded.requests,
      prompt_tokens = ${target}.prompt_tokens + excluded.prompt_tokens,
      completion_tokens = ${target}.completion_tokens + excluded.completion_tokens,
      quota = ${target}.quota + excluded.quota`)
}

async function moveCursor(db: Db, cursor: CursorUpdate) {
  if (cursor.expected === undefined) {
    await db.execute(sql`insert into ledger_state (name, value) values (${cursor.name}, ${cursor.position})
      on conflict (name) do update set value = excluded.value, updated_at = now()`)
    return
  }
  const moved = queryRows<{ name: string }>(await db.execute(sql`
    insert into ledger_state (name, value) values (${cursor.name}, ${cursor.position})
    on conflict (name) do update set value = excluded.value, updated_at = now() where ledger_state.value = ${cursor.expected}
    returning name`))
  // An insert when the row exists only happens if it was absent, which `expected: null` asserts.
  if (moved.length === 0) throw new CursorConflictError(`ledger cursor ${cursor.name} is no longer at ${cursor.expected}`)
}

/** Writes a planned batch in one transaction; returns each charged account's row as the batch left it. */
export async function writeBatch(db: Db, plan: BatchPlan, cursor?: CursorUpdate): Promise<CommittedAccount[]> {
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db
    const stored = new Map<AccountKey, { quota: number; version: number }>()
    if (plan.users.length > 0) {
      const rows = queryRows<{ id: number; quota: string | number; balance_version: string | number }>(await tx.execute(sql`
        update users set quota = users.quota - d.charged, used_quota = users.used_quota + d.charged,
          request_count = users.request_count + d.requests, balance_version = users.balance_version + 1
        from jsonb_to_recordset(${JSON.stringify(plan.users)}::jsonb) as d(id integer, charged bigint, requests bigint)
        where users.id = d.id
        returning users.id, users.quota, users.balance_version`))
      for (const row of rows) stored.set(`u:${Number(row.id)}`, { quota: Number(row.quota), version: Number(row.balance_version) })
    }
    if (plan.tokens.length > 0) {
      const rows = queryRows<{ id: number; remain_quota: string | number; balance_version: string | number }>(await tx.execute(sql`
        update tokens set remain_quota = tokens.remain_quota - d."debit", used_quota = tokens.used_quota + d.charged,
          balance_version = tokens.balance_version + case when d."debit" <> 0 then 1 else 0 end,
          last_used_at = greatest(tokens.last_used_at, d."lastUsedAt")
        from jsonb_to_recordset(${JSON.stringify(plan.tokens)}::jsonb) as d(id integer, "debit" bigint, charged bigint, "lastUsedAt" timestamptz)
        where tokens.id = d.id
        returning tokens.id, tokens.remain_quota, tokens.balance_version`))
      for (const row of rows) stored.set(`t:${Number(row.id)}`, { quota: Number(row.remain_quota), version: Number(row.balance_version) })
    }
    if (plan.logs.length > 0) {
      await tx.execute(sql`insert into logs (${logTargetColumns}) select ${logSelectList} from jsonb_to_recordset(${logRecords(plan)}::jsonb) as r(${logRecordType})`)
    }
    await upsertRollups(tx, 'quota_stats', 'hour', plan.hourly)
    await upsertRollups(tx, 'quota_stats_daily', 'day', plan.daily)
    if (plan.channels.length > 0) {
      await tx.execute(sql`update channels set used_quota = channels.used_quota + d.spent
        from jsonb_to_recordset(${JSON.stringify(plan.channels)}::jsonb) as d(id integer, spent bigint) where channels.id = d.id`)
    }
    if (cursor) await moveCursor(tx, cursor)
    return [...plan.accounts].map(([key, charged]) => ({ key, charged, stored: stored.get(key) }))
  })
}
