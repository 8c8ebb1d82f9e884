import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { messages, PGlite } from '@electric-sql/pglite'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { createLogger } from '../app-context.ts'
import { isUniqueViolation, uniqueViolationOf } from '../http/errors.ts'
import { openDatabase, queryRows, type Database, type Db } from './client.ts'
import { embeddedStartParams } from './pglite-settings.ts'
import { openPgliteWorker } from './pglite-worker-client.ts'
import { logs, options, schema, users } from './schema.ts'

// PGlite on a worker thread must answer exactly as PGlite on the main thread did: same values (drizzle
// keeps dates as text, maps bigints and jsonb), same errors with the same fields, same transaction
// semantics. Each check runs on both and compares.

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

/** The reference: PGlite on this thread, as core/db/client.ts opened it before the worker. */
async function openOnThisThread(): Promise<{ db: Db; close(): Promise<void> }> {
  const client = new PGlite({ startParams: embeddedStartParams() })
  const db = drizzle(client, { schema })
  await migrate(db, { migrationsFolder })
  return { db: db as unknown as Db, close: () => client.close() }
}

/** The error drizzle wrapped, as callers dig it out (`cause`). */
async function causeOf(run: () => Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await run()
  } catch (error) {
    return ((error as { cause?: unknown }).cause ?? error) as Record<string, unknown> & Error
  }
  throw new Error('expected the statement to fail')
}

/** Own fields of an error, minus the per-query options object (it holds functions, new for every query). */
function fieldsOf(error: Record<string, unknown> & Error): Record<string, unknown> {
  const { queryOptions, ...fields } = Object.fromEntries(Object.entries(error))
  return { ...fields, message: error.message, rowMode: (queryOptions as { rowMode?: string } | undefined)?.rowMode }
}

const TYPED_LITERALS = sql`select
  interval '1 day 02:03:04' as interval, date '2024-02-29' as date, timestamp '2024-01-02 03:04:05.678' as timestamp,
  timestamptz '2024-01-02 03:04:05.678+02' as timestamptz, array[timestamptz '2024-01-02 00:00:00+00', null] as timestamptz_array,
  array[date '2024-01-01'] as date_array, array[interval '1 hour'] as interval_array, array[timestamp '2024-01-01 00:00:00'] as timestamp_array,
  12.50::numeric as numeric, array[1.5::numeric, 2] as numeric_array, 9007199254740993::bigint as huge_bigint, 42::bigint as bigint,
  array[1, 2, 3]::int[] as ints, array['a', null, 'c"d']::text[] as texts, '\\x00ff10'::bytea as bytes,
  '{"k":[1,true,null,{"n":"x"}]}'::jsonb as jsonb, '{"k":1}'::json as json, true as bool, null::text as nothing, 1.5::float8 as float,
  '123e4567-e89b-12d3-a456-426614174000'::uuid as uuid, 'a'::char(3) as padded`

describe('PGlite on a worker thread', () => {
  let worker: Database
  let thread: Awaited<ReturnType<typeof openOnThisThread>>
  beforeAll(async () => {
    worker = await openDatabase({ dataDir: 'memory://' })
    thread = await openOnThisThread()
  })
  afterAll(async () => {
    await Promise.all([worker.close(), thread.close()])
  })

  test('drizzle reads back the same values as from PGlite on the main thread', async () => {
    const createdAt = new Date('2024-03-04T05:06:07.891Z')
    const read = async (db: Db) => {
      const [user] = await db
        .insert(users)
        .values({ username: 'same-values', quota: 123_456_789_012, recoveryCodeHashes: ['a', 'b'], createdAt, updatedAt: createdAt })
        .returning()
      await db.insert(logs).values([
        { type: 'consume', userId: user!.id, quota: 2 ** 40, details: { priced: 1.25, nested: [1, { b: 'x' }], none: null }, createdAt },
        { type: 'topup', userId: user!.id, quota: 7, createdAt },
      ])
      return {
        user,
        logs: await db.select().from(logs).where(eq(logs.userId, user!.id)).orderBy(logs.id),
        relational: await db.query.users.findFirst({ where: eq(users.id, user!.id), columns: { username: true, quota: true, createdAt: true } }),
        raw: await db.execute(TYPED_LITERALS),
        aggregate: await db.execute(sql`select type, count(*)::int as n, sum(quota) as total, max(created_at) as latest from logs group by type order by type`),
        updated: await db.update(logs).set({ quota: 9 }).where(eq(logs.type, 'topup')),
      }
    }
    const onWorker = await read(worker.db)
    const onThread = await read(thread.db)
    expect(onWorker).toEqual(onThread)
    expect(onWorker.user?.createdAt).toEqual(createdAt)
    expect(onWorker.user?.quota).toBe(123_456_789_012)
    expect(onWorker.logs[0]?.details).toEqual({ priced: 1.25, nested: [1, { b: 'x' }], none: null })
    const [literals] = queryRows<Record<string, unknown>>(onWorker.raw)
    expect(typeof literals?.timestamptz).toBe('string')
    expect(literals?.bytes).toBeInstanceOf(Uint8Array)
    expect(literals?.huge_bigint).toBe(queryRows<Record<string, unknown>>(onThread.raw)[0]?.huge_bigint)
  })

  test('errors cross with every field, so unique-violation detection works as before', async () => {
    const duplicate = async (db: Db) => {
      await db.insert(users).values({ username: 'taken' })
      return causeOf(() => db.insert(users).values({ username: 'taken' }))
    }
    const [onWorker, onThread] = [await duplicate(worker.db), await duplicate(thread.db)]
    expect(onWorker).toBeInstanceOf(messages.DatabaseError)
    expect(fieldsOf(onWorker)).toEqual(fieldsOf(onThread))
    expect(onWorker.code).toBe('23505')
    expect(onWorker.constraint).toBe('users_username_unique')
    expect(isUniqueViolation({ cause: onWorker })).toBe(true)
    expect(uniqueViolationOf({ cause: onWorker })).toBe('users_username_unique')

    for (const statement of [
      sql`insert into users (username, created_at, updated_at) values (null, '2024-01-01', '2024-01-01')`,
      sql`selec 1`,
      sql`select 1/0`,
      sql`select * from no_such_table`,
    ]) {
      const [workerError, threadError] = [await causeOf(() => worker.db.execute(statement)), await causeOf(() => thread.db.execute(statement))]
      expect(fieldsOf(workerError)).toEqual(fieldsOf(threadError))
    }
  })

  test('a transaction commits; it rolls back when its callback throws or one of its statements fails', async () => {
    for (const db of [worker.db, thread.db]) {
      await db.transaction(async (tx) => {
        await tx.insert(options).values({ key: 'committed', value: 1 })
      })
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(options).values({ key: 'thrown', value: 1 })
          throw new Error('changed my mind')
        }),
      ).rejects.toThrow('changed my mind')
      const failed = await causeOf(() =>
        db.transaction(async (tx) => {
          await tx.insert(options).values({ key: 'failed', value: 1 })
          await tx.insert(options).values({ key: 'committed', value: 2 })
        }),
      )
      expect(failed.code).toBe('23505')
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(options).values({ key: 'rolled back', value: 1 })
          tx.rollback()
        }),
      ).rejects.toThrow('Rollback')
    }
    const keys = async (db: Db) => (await db.select({ key: options.key }).from(options).orderBy(options.key)).map((row) => row.key)
    expect(await keys(worker.db)).toEqual(['committed'])
    expect(await keys(worker.db)).toEqual(await keys(thread.db))
  })

  test('nested transactions are savepoints: an inner failure rolls back only the inner part', async () => {
    const run = async (db: Db) => {
      await db.transaction(async (tx) => {
        await tx.insert(options).values({ key: 'outer', value: 1 })
        await tx.transaction(async (inner) => {
          await inner.insert(options).values({ key: 'inner kept', value: 1 })
          await inner
            .transaction(async (innermost) => {
              await innermost.insert(options).values({ key: 'innermost', value: 1 })
              throw new Error('innermost fails')
            })
            .catch(() => {})
        })
        await tx
          .transaction(async (inner) => {
            await inner.insert(options).values({ key: 'outer', value: 2 })
          })
          .catch(() => {})
        await tx.insert(options).values({ key: 'after', value: 1 })
      })
      return (
        await db.select({ key: options.key }).from(options).where(sql`${options.key} in ('outer', 'inner kept', 'innermost', 'after')`).orderBy(options.key)
      ).map((row) => row.key)
    }
    expect(await run(worker.db)).toEqual(['after', 'inner kept', 'outer'])
    expect(await run(thread.db)).toEqual(['after', 'inner kept', 'outer'])
  })

  test('a statement from outside an open transaction waits for it, never runs inside it', async () => {
    const outside: Array<Promise<unknown>> = []
    const insideSaw = await worker.db.transaction(async (tx) => {
      await tx.insert(options).values({ key: 'inside', value: 1 })
      outside.push(worker.db.insert(options).values({ key: 'outside', value: 1 }))
      outside.push(worker.db.select({ key: options.key }).from(options).where(sql`${options.key} in ('inside', 'outside')`))
      await Bun.sleep(50)
      const seen = await tx.select({ key: options.key }).from(options).where(sql`${options.key} in ('inside', 'outside')`)
      await tx.delete(options).where(eq(options.key, 'inside'))
      return seen.map((row) => row.key)
    })
    expect(insideSaw).toEqual(['inside'])
    const [, outsideSaw] = (await Promise.all(outside)) as [unknown, Array<{ key: string }>]
    expect(outsideSaw.map((row) => row.key)).toEqual(['outside'])
  })

  test("replies arrive while bun:test's expect(…).rejects spins the event loop in place", async () => {
    // Bun holds back a thread's messages while it dispatches one; see pglite-worker-channel.ts.
    await worker.db.execute(sql`select 1`)
    await expect(Promise.resolve(worker.db.execute(sql`selec 1`))).rejects.toThrow('Failed query')
    await expect(Promise.resolve(worker.db.execute(sql`select 2 as two`)).then(queryRows)).resolves.toEqual([{ two: 2 }])
  })

  test('concurrent transactions take turns: no lost update, no deadlock', async () => {
    await worker.db.insert(options).values({ key: 'counter', value: 0 })
    await Promise.all(
      Array.from({ length: 20 }, () =>
        worker.db.transaction(async (tx) => {
          const [row] = await tx.select().from(options).where(eq(options.key, 'counter'))
          await Bun.sleep(1)
          await tx
            .update(options)
            .set({ value: (row!.value as number) + 1 })
            .where(eq(options.key, 'counter'))
        }),
      ),
    )
    const [row] = await worker.db.select().from(options).where(eq(options.key, 'counter'))
    expect(row!.value).toBe(20)
  })
})

describe('closing and dying', () => {
  test('close answers what was already asked, is idempotent, and later queries fail saying the database is closed', async () => {
    const database = await openDatabase({ dataDir: 'memory://' })
    // `.then` sends it now; a drizzle query is lazy until then.
    const asked = database.db.execute(sql`select 1 as one`).then((result) => result)
    const closing = [database.close(), database.close()]
    expect(queryRows(await asked)).toEqual([{ one: 1 }])
    await Promise.all(closing)
    await database.close()
    expect((await causeOf(() => database.db.execute(sql`select 1`))).message).toMatch(/closed/)
    expect((await causeOf(() => database.db.transaction(async () => {}))).message).toMatch(/closed/)
  })

  test('a data directory PGlite cannot open rejects the open', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pglite-unreadable-'))
    mkdirSync(join(dataDir, 'pglite'))
    writeFileSync(join(dataDir, 'pglite', 'PG_VERSION'), '9\n')
    await expect(openDatabase({ dataDir })).rejects.toThrow(/PGlite failed to initialize/)
    rmSync(dataDir, { recursive: true, force: true })
  })

  const deaths = [
    { trigger: 'exit worker', reason: /exit code 7/, logged: /"exitCode":7/ },
    { trigger: 'throw in worker', reason: /worker blew up on purpose/, logged: /worker blew up on purpose/ },
  ]
  for (const { trigger, reason, logged } of deaths) {
    test(`when the worker dies (${trigger}), waiting and later queries fail with the reason, and the log says it`, async () => {
      const lines: string[] = []
      const client = await openPgliteWorker({
        dataDir: 'memory://',
        startParams: embeddedStartParams(),
        logger: createLogger('error', (line) => lines.push(line)),
        workerUrl: new URL('./__fixtures__/dying-pglite-worker.ts', import.meta.url).href,
      })
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }])
      const dying = client.query(trigger).catch(() => {})
      const waiting = client.query('select pg_sleep(0.2)')
      await expect(waiting).rejects.toThrow(reason)
      await dying
      await expect(client.query('select 1')).rejects.toThrow(/embedded database worker stopped unexpectedly/)
      await expect(client.transaction(async () => {})).rejects.toThrow(reason)
      expect(lines.join('\n')).toContain('embedded database worker stopped')
      expect(lines.join('\n')).toMatch(logged)
      await client.close()
    })
  }
})
