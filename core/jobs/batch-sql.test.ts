import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { schema } from '../db/schema.ts'
import { pgliteTransactor, postgresTransactor } from '../db/sql-transactors.ts'
import { encodeJournalEntry } from '../billing/journal-codec.ts'
import { CursorConflictError, logsCsv, readBatchMessage, writeBatchMessage, type SqlTransactor } from './batch-sql.ts'
import type { LogEntry } from './log-writer.ts'
import { resetDatabase } from '../../tests/support/context.ts'

// A group commit as the writer thread runs it, on PGlite and on PostgreSQL: balances, usage rows
// (COPY), rollups, channel spend and the journal cursor in one transaction.

const migrationsFolder = fileURLToPath(new URL('../db/migrations', import.meta.url))

interface Backend {
  name: string
  open(): Promise<{ transactor: SqlTransactor; query(sql: string): Promise<Array<Record<string, unknown>>>; close(): Promise<void> }>
}

const backends: Backend[] = [
  {
    name: 'pglite',
    async open() {
      const pg = new PGlite()
      await migrate(drizzle(pg, { schema }), { migrationsFolder })
      return { transactor: pgliteTransactor(pg), query: async (sql) => (await pg.query<Record<string, unknown>>(sql)).rows, close: () => pg.close() }
    },
  },
  ...(process.env.TEST_DATABASE_URL
    ? [
        {
          name: 'postgres',
          async open() {
            await resetDatabase(process.env.TEST_DATABASE_URL!)
            const { default: postgres } = await import('postgres')
            const sql = postgres(process.env.TEST_DATABASE_URL!, { max: 2, onnotice: () => {} })
            return {
              transactor: postgresTransactor(sql),
              query: async (text: string) => (await sql.unsafe(text)) as unknown as Array<Record<string, unknown>>,
              close: () => sql.end({ timeout: 5 }),
            }
          },
        },
      ]
    : []),
]

const usage = (requestId: string, createdAt: string): LogEntry => ({
  type: 'consume',
  createdAt: new Date(createdAt),
  userId: 1,
  username: 'ann',
  tokenId: 1,
  tokenName: 'laptop, "home"',
  channelId: 1,
  model: 'gpt-4o-mini',
  promptTokens: 10,
  completionTokens: 20,
  quota: 0,
  latencyMs: 12.6,
  isStream: true,
  requestId,
  content: '',
  details: { priced: 30, note: 'quote " and, comma\nnewline' },
})

for (const backend of backends) {
  describe(`group commit SQL (${backend.name})`, () => {
    let db: Awaited<ReturnType<Backend['open']>>
    beforeAll(async () => {
      db = await backend.open()
      await db.query(`insert into users (id, username, quota) values (1, 'ann', 1000)`)
      await db.query(`insert into tokens (id, user_id, name, key_hash, key_preview, remain_quota) values (1, 1, 'laptop', 'h', 'sk-…', 500)`)
      await db.query(`insert into channels (id, type, name, keys_encrypted) values (1, 'openai', 'main', 'x')`)
    })
    afterAll(async () => {
      await db.close()
    })

    test('charges, their usage rows, rollups, spend and the cursor are written together', async () => {
      const payer = { userId: 1, tokenId: 1, unlimited: false }
      const lines = [
        encodeJournalEntry({ position: '1', payer, charged: 30, log: { ...usage('req-a', '2026-12-06T05:10:00.000Z'), quota: 30 } }),
        encodeJournalEntry({ position: '2', payer, charged: 25, log: { ...usage('req-b', '2026-12-06T06:10:00.000Z'), quota: 25 } }),
      ].join('\n')
      const rows = JSON.stringify([
        { type: 'error', userId: 1, tokenId: 1, statusCode: 502, content: 'upstream failed', createdAt: '2026-12-06T06:20:00.000Z' },
      ])
      const result = await writeBatchMessage(db.transactor, {
        rows,
        charges: lines,
        cursor: { name: 'journal:test', position: '2' },
        now: '2026-12-06T07:00:00.000Z',
      })
      expect(result.rows).toBe(3)
      expect(result.accounts.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: 't:1', charged: 55, stored: { quota: 445, version: 1 } },
        { key: 'u:1', charged: 55, stored: { quota: 945, version: 1 } },
      ])
      const [user] = await db.query('select quota, used_quota, request_count from users where id = 1')
      expect({ quota: Number(user!.quota), used: Number(user!.used_quota), requests: Number(user!.request_count) }).toEqual({
        quota: 945,
        used: 55,
        requests: 2,
      })
      const [token] = await db.query('select remain_quota, used_quota, last_used_at from tokens where id = 1')
      expect({ remain: Number(token!.remain_quota), used: Number(token!.used_quota) }).toEqual({ remain: 445, used: 55 })
      // The failed call at 06:20 is a use of the key too.
      expect(new Date(String(token!.last_used_at)).toISOString()).toBe('2026-12-06T06:20:00.000Z')
      const logRows = await db.query(
        `select type, request_id, quota, latency_ms, is_stream, token_name, content, details, created_at from logs order by created_at`,
      )
      expect(logRows.map((row) => [row.type, row.request_id, Number(row.quota), row.latency_ms, row.is_stream])).toEqual([
        ['consume', 'req-a', 30, 13, true],
        ['consume', 'req-b', 25, 13, true],
        ['error', null, 0, null, false],
      ])
      expect(logRows[0]!.token_name).toBe('laptop, "home"')
      expect(logRows[0]!.content).toBe('')
      expect(typeof logRows[0]!.details === 'string' ? JSON.parse(logRows[0]!.details) : logRows[0]!.details).toEqual({
        priced: 30,
        note: 'quote " and, comma\nnewline',
        charged: 30,
        shortfall: 0,
      })
      const hourly = await db.query('select hour, requests, quota from quota_stats order by hour')
      expect(hourly.map((row) => [new Date(String(row.hour)).toISOString(), Number(row.requests), Number(row.quota)])).toEqual([
        ['2026-12-06T05:00:00.000Z', 1, 30],
        ['2026-12-06T06:00:00.000Z', 1, 25],
      ])
      const [channel] = await db.query('select used_quota from channels where id = 1')
      expect(Number(channel!.used_quota)).toBe(55)
      const [cursor] = await db.query(`select value from ledger_state where name = 'journal:test'`)
      expect(cursor!.value).toBe('2')
    })

    test('a guarded cursor that moved refuses the whole batch, and nothing of it is written', async () => {
      const payer = { userId: 1, tokenId: 1, unlimited: false }
      const line = encodeJournalEntry({ position: '3', payer, charged: 5, log: { ...usage('req-c', '2026-12-06T06:30:00.000Z'), quota: 5 } })
      const attempt = writeBatchMessage(db.transactor, {
        rows: '',
        charges: line,
        cursor: { name: 'journal:test', position: '3', expected: '1' },
        now: '2026-12-06T07:00:00.000Z',
      })
      await expect(attempt).rejects.toBeInstanceOf(CursorConflictError)
      const [user] = await db.query('select quota from users where id = 1')
      expect(Number(user!.quota)).toBe(945)
      expect(await db.query(`select 1 from logs where request_id = 'req-c'`)).toEqual([])
    })

    test('a NUL in a row (a model name sent by a client, a details string) is written as U+FFFD, and the batch with its charge goes in', async () => {
      const payer = { userId: 1, tokenId: 1, unlimited: false }
      const line = encodeJournalEntry({
        position: '5',
        payer,
        charged: 7,
        log: { ...usage('req-nul', '2026-12-06T06:40:00.000Z'), model: 'gpt\u0000x', quota: 7, details: { prompt: 'a\u0000b', path: 'c:\\u0000d' } },
      })
      const rows = JSON.stringify([{ type: 'error', userId: 1, statusCode: 400, content: 'No model "gpt\u0000x"', requestId: 'req-nul-error' }])
      await writeBatchMessage(db.transactor, { rows, charges: line, cursor: { name: 'journal:nul', position: '5' }, now: '2026-12-06T07:00:00.000Z' })
      const [charge] = await db.query(`select model, quota, details from logs where request_id = 'req-nul'`)
      expect(charge?.model).toBe('gpt\ufffdx')
      expect(Number(charge?.quota)).toBe(7)
      const details = typeof charge?.details === 'string' ? JSON.parse(charge.details) : charge?.details
      expect(details).toMatchObject({ prompt: 'a\ufffdb', path: 'c:\\u0000d' })
      const [error] = await db.query(`select content from logs where request_id = 'req-nul-error'`)
      expect(error?.content).toBe('No model "gpt\ufffdx"')
    })

    test('a number a column cannot hold (3 billion tokens, a fraction, ±10^12, NaN) is held to what it can, and the batch with its charge goes in', async () => {
      const payer = { userId: 1, tokenId: 1, unlimited: false }
      const line = encodeJournalEntry({
        position: '9',
        payer,
        charged: 4,
        log: { ...usage('req-huge', '2026-12-06T10:10:00.000Z'), promptTokens: 3_000_000_000, completionTokens: 20.5, quota: 4 },
      })
      // NaN crosses to the writer as JSON's null.
      const rows = JSON.stringify([
        {
          type: 'error',
          userId: 1,
          statusCode: 1e12,
          latencyMs: -1e12,
          promptTokens: Number.NaN,
          requestId: 'req-huge-error',
          createdAt: '2026-12-06T10:11:00.000Z',
        },
      ])
      await writeBatchMessage(db.transactor, { rows, charges: line, cursor: { name: 'journal:huge', position: '9' }, now: '2026-12-06T11:00:00.000Z' })
      const [charge] = await db.query(`select prompt_tokens, completion_tokens, quota from logs where request_id = 'req-huge'`)
      expect([Number(charge?.prompt_tokens), Number(charge?.completion_tokens), Number(charge?.quota)]).toEqual([2_147_483_647, 21, 4])
      const [error] = await db.query(`select status_code, latency_ms, prompt_tokens from logs where request_id = 'req-huge-error'`)
      expect([Number(error?.status_code), Number(error?.latency_ms), Number(error?.prompt_tokens)]).toEqual([2_147_483_647, -2_147_483_647, 0])
      const [rollup] = await db.query(`select prompt_tokens, completion_tokens from quota_stats where hour = '2026-12-06T10:00:00.000Z'`)
      expect([Number(rollup?.prompt_tokens), Number(rollup?.completion_tokens)]).toEqual([3_000_000_000, 21])
    })

    test("a row the database refuses fails the batch at once with the database's own error, and nothing of it is written", async () => {
      const payer = { userId: 1, tokenId: 1, unlimited: false }
      const line = encodeJournalEntry({ position: '11', payer, charged: 6, log: { ...usage('req-refused', '2026-12-06T12:10:00.000Z'), quota: 6 } })
      // Not something the gateway builds (a typed row has a number there): the way to make COPY refuse data it has received in full.
      const rows = JSON.stringify([{ type: 'error', userId: 'not a number', requestId: 'req-refused-error', createdAt: '2026-12-06T12:11:00.000Z' }])
      const [before] = await db.query('select quota from users where id = 1')
      // Before the fix in sql-transactors.ts and patches/postgres+3.4.9.patch, postgres.js never ended the COPY's stream
      // when the refusal came after the data, and the batch hung; when it came sooner, the error was lost and the COMMIT failed instead.
      const attempt = writeBatchMessage(db.transactor, {
        rows,
        charges: line,
        cursor: { name: 'journal:refused', position: '11' },
        now: '2026-12-06T13:00:00.000Z',
      })
      const outcome = await Promise.race([
        attempt.then(
          () => 'written',
          (error: { code?: string }) => error.code,
        ),
        Bun.sleep(5_000).then(() => 'still waiting after 5 s'),
      ])
      expect(outcome).toBe('22P02')
      const [after] = await db.query('select quota from users where id = 1')
      expect(Number(after!.quota)).toBe(Number(before!.quota))
      expect(await db.query(`select 1 from logs where request_id in ('req-refused', 'req-refused-error')`)).toEqual([])
    })

    test('quotes, backslashes, $1 and SQL in a model name reach the rollups as written, and nothing else runs', async () => {
      const payer = { userId: 1, tokenId: 1, unlimited: false }
      const hostile = `gpt'); drop table logs; -- \\' \\\\ $1 $$ E'x' \\x00 "q" 東京 🙂`
      const line = encodeJournalEntry({
        position: '7',
        payer,
        charged: 3,
        log: { ...usage('req-hostile', '2026-12-06T08:10:00.000Z'), model: hostile, quota: 3 },
      })
      await writeBatchMessage(db.transactor, { rows: '', charges: line, cursor: { name: 'journal:hostile', position: '7' }, now: '2026-12-06T09:00:00.000Z' })
      const [rollup] = await db.query(`select model, quota from quota_stats where hour = '2026-12-06T08:00:00.000Z'`)
      expect(rollup?.model).toBe(hostile)
      expect(Number(rollup?.quota)).toBe(3)
      const [logged] = await db.query(`select model from logs where request_id = 'req-hostile'`)
      expect(logged?.model).toBe(hostile)
      const [cursor] = await db.query(`select value from ledger_state where name = 'journal:hostile'`)
      expect(cursor!.value).toBe('7')
    })
  })
}

test('CSV fields: NULL is empty, strings are always quoted, numbers bare, integers rounded', async () => {
  const csv = await logsCsv([{ type: 'system', content: 'a "b", c', latencyMs: 2.5 }])
  expect(csv).toContain('"system"')
  expect(csv).toContain('"a ""b"", c"')
  expect(csv.split(',').includes('3')).toBe(true)
})

test('PGlite: a session that lost the prepared statements fails one batch, and the retry writes it', async () => {
  const pg = new PGlite()
  await migrate(drizzle(pg, { schema }), { migrationsFolder })
  await pg.query(`insert into users (id, username, quota) values (1, 'ann', 1000)`)
  await pg.query(`insert into tokens (id, user_id, name, key_hash, key_preview, remain_quota) values (1, 1, 'laptop', 'h', 'sk-…', 500)`)
  const transactor = pgliteTransactor(pg)
  const payer = { userId: 1, tokenId: 1, unlimited: false }
  const batch = (position: number) => ({
    rows: '',
    charges: encodeJournalEntry({
      position: String(position),
      payer,
      charged: 10,
      log: { ...usage(`req-${position}`, '2026-12-06T05:00:00.000Z'), quota: 10 },
    }),
    cursor: { name: 'journal:lost', position: String(position) },
    now: '2026-12-06T07:00:00.000Z',
  })
  await writeBatchMessage(transactor, batch(1))
  await pg.exec('deallocate all')
  await expect(writeBatchMessage(transactor, batch(2))).rejects.toThrow('does not exist')
  await writeBatchMessage(transactor, batch(2))
  const [user] = (await pg.query<{ quota: number }>('select quota from users where id = 1')).rows
  expect(Number(user!.quota)).toBe(980)
  expect((await pg.query<{ request_id: string }>('select request_id from logs order by id')).rows.map((row) => row.request_id)).toEqual(['req-1', 'req-2'])
  await pg.close()
})

// On PostgreSQL a batch is prepared on the gateway's own thread: ~800 charges at c=50 took ~9 ms in one go (35 ms at
// worst), during which no call moved. It is prepared in pieces now, the event loop running between them.
test('a big batch is read and turned into CSV in pieces, the event loop running between them', async () => {
  const payer = { userId: 1, tokenId: null, unlimited: false }
  const lines = Array.from({ length: 1000 }, (_, index) =>
    encodeJournalEntry({ position: String(index + 1), payer, charged: 1, log: { type: 'consume', quota: 1, requestId: `req-${index}` } }),
  ).join('\n')
  let turns = 0
  let counting = true
  const count = () => {
    turns++
    if (counting) setImmediate(count)
  }
  setImmediate(count)
  const { charges } = await readBatchMessage({ rows: '', charges: lines, now: new Date().toISOString() })
  const whileReading = turns
  const csv = await logsCsv(charges.map((charge) => charge.log))
  counting = false
  expect(charges.map((charge) => charge.position)).toEqual(Array.from({ length: 1000 }, (_, index) => String(index + 1)))
  expect(csv.split('\n').filter(Boolean)).toHaveLength(1000)
  expect(whileReading).toBeGreaterThanOrEqual(5)
  expect(turns - whileReading).toBeGreaterThanOrEqual(5)
})
