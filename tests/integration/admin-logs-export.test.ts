import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { logs } from '../../core/db/schema.ts'
import { exportBatchQuery, exportPlanSettings, logCsvStream } from '../../core/admin/logs/log-export.ts'
import { logFilters } from '../../core/admin/logs/log-query.ts'
import type { Actor } from '../../core/http/actor.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'
import { csvRecords, parseCsv } from '../support/csv.ts'

// The log export: a streamed CSV of exactly the rows GET /api/logs lists, and GET /api/logs/{id}.

interface LogItem {
  id: number
  createdAt: string
  type: string
  userId: number | null
  model: string | null
  quota: number
  content: string | null
  details: Record<string, unknown> | null
  [key: string]: unknown
}

const HEADER =
  'id,createdAt,type,userId,username,tokenId,tokenName,channelId,model,upstreamModel,group,promptTokens,completionTokens,cacheReadTokens,cacheWriteTokens,reasoningTokens,quota,' +
  'charged,reserved,priced,shortfall,groupRatio,baseUsd,inputPerMTok,outputPerMTok,cacheReadPerMTok,cacheWritePerMTok,perCall,outcome,usageSource,' +
  'latencyMs,firstTokenMs,isStream,statusCode,requestId,ip,content,details'

const breakdown = (charged: number) => ({
  outcome: 'completed',
  usageSource: 'upstream',
  reserved: charged + 25,
  priced: charged,
  charged,
  shortfall: 0,
  price: { inputPerMTok: 0.15, outputPerMTok: 0.6, cacheReadPerMTok: 0.075 },
  groupRatio: 1,
  baseUsd: charged / 500_000,
  tokens: { input: 1000, cacheRead: 0, cacheWrite: 0, output: 1000, reasoning: 0 },
})

/** The body read chunk by chunk (Bun's Response.text() is slow on long chunked bodies). */
async function readText(response: Response): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  const reader = response.body!.getReader()
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true })
  return text + decoder.decode()
}

for (const backend of testBackends) {
  describe(`log export (${backend.name})`, () => {
    let gateway: TestGateway
    let aliceId: number
    let bobId: number
    let bulkId: number
    let carolId: number
    let alice: string

    const get = (path: string, bearer = gateway.context.config.rootAccessToken ?? '') =>
      fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } })
    async function list(query: string, bearer?: string): Promise<LogItem[]> {
      const body = (await (await get(`/api/logs?pageSize=100&${query}`, bearer)).json()) as { items: LogItem[]; total: number }
      expect(body.total).toBeLessThanOrEqual(100)
      return body.items
    }
    async function exported(query: string, bearer?: string) {
      const response = await get(`/api/logs/export?${query}`, bearer)
      expect(response.status).toBe(200)
      const text = await readText(response)
      return { response, text, records: csvRecords(text) }
    }

    beforeAll(async () => {
      gateway = await startGateway(backend)
      aliceId = await gateway.createUser({ username: 'alice', quota: 0 })
      bobId = await gateway.createUser({ username: 'bob', quota: 0 })
      bulkId = await gateway.createUser({ username: 'bulk', quota: 0 })
      carolId = await gateway.createUser({ username: 'carol', quota: 0 })
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'password-123' }),
      })
      alice = ((await login.json()) as { accessToken: string }).accessToken
      const at = (day: number, hour = 0) => new Date(Date.UTC(2025, 0, day, hour))
      const consume = (userId: number, username: string, day: number, model: string, charged: number, content: string | null = null) => ({
        createdAt: at(day),
        type: 'consume' as const,
        userId,
        username,
        tokenId: 7,
        tokenName: 'laptop',
        channelId: 3,
        model,
        upstreamModel: model,
        group: 'default',
        promptTokens: 1000,
        completionTokens: 1000,
        quota: charged,
        latencyMs: 812,
        firstTokenMs: 120,
        isStream: true,
        requestId: `req_${day}_${userId}`,
        ip: '10.0.0.1',
        statusCode: 200,
        content,
        details: breakdown(charged),
      })
      await gateway.context.database.db.insert(logs).values([
        consume(aliceId, 'alice', 2, 'gpt-4o-mini', 375),
        consume(aliceId, 'alice', 3, 'gpt-4o', 5000, '=HYPERLINK("http://evil.example","click")'),
        consume(aliceId, 'alice', 4, 'gpt-4o-mini', 380, 'plain, with "quotes"\r\nand a second line'),
        consume(aliceId, 'alice', 5, 'gpt-4o-mini', 1, '+1'),
        consume(aliceId, 'alice', 20, 'gpt-4o-mini', 2, '-2'),
        consume(bobId, 'bob', 2, 'gpt-4o', 4000, '@SUM(A1:A2)'),
        consume(bobId, 'bob', 6, 'gpt-4o-mini', 377, '\tindented'),
        {
          createdAt: at(7),
          type: 'error',
          userId: bobId,
          username: 'bob',
          model: 'gpt-4o',
          quota: 0,
          statusCode: 502,
          content: 'upstream failed',
          details: { code: 'upstream_error' },
        },
        { createdAt: at(8), type: 'manage', userId: 1, username: 'root', content: 'options changed: retryTimes', details: { changed: { retryTimes: 3 } } },
      ])
      // One log-writer flush stamps all its rows with one time: five of carol's rows share a timestamp.
      const tied = (minute: number, quota: number) => ({
        createdAt: new Date(Date.UTC(2025, 2, 1, 0, minute)),
        type: 'consume' as const,
        userId: carolId,
        username: 'carol',
        quota,
      })
      await gateway.context.database.db.insert(logs).values([tied(1, 1), tied(5, 2), tied(5, 3), tied(9, 4), tied(5, 5), tied(5, 6), tied(9, 7), tied(5, 8)])
      await gateway.context.database.db.execute(sql`
        insert into logs (created_at, type, user_id, username, model, quota, prompt_tokens, details)
        select timestamptz '2024-06-01 00:00:00+00' + (g / 3) * interval '1 microsecond', 'consume', ${bulkId}, 'bulk', 'gpt-4o-mini', g, g, jsonb_build_object('charged', g)
        from generate_series(1, 100000) as g`)
      await gateway.context.logWriter.flush()
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('the export holds exactly the rows the list shows, in the same order, with the price breakdown flattened', async () => {
      const query = 'from=2025-01-01T00:00:00.000Z&to=2025-02-01T00:00:00.000Z'
      const listed = await list(query)
      expect(listed.length).toBe(9)
      const { response, text, records } = await exported(query)
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="logs-20250101T000000Z-20250201T000000Z.csv"')
      expect(text.startsWith(`${HEADER}\r\n`)).toBe(true)
      expect(records.map((record) => Number(record.id))).toEqual(listed.map((item) => item.id))
      for (const [index, item] of listed.entries()) {
        const record = records[index]!
        expect([record.createdAt, record.type, record.userId, record.model, record.quota]).toEqual([
          item.createdAt,
          item.type,
          String(item.userId ?? ''),
          item.model ?? '',
          String(item.quota),
        ])
        expect(record.details === '' ? null : JSON.parse(record.details!)).toEqual(item.details)
      }
      const first = records.find((record) => record.requestId === `req_2_${aliceId}`)!
      expect(first).toMatchObject({
        username: 'alice',
        tokenId: '7',
        tokenName: 'laptop',
        channelId: '3',
        group: 'default',
        promptTokens: '1000',
        completionTokens: '1000',
        charged: '375',
        reserved: '400',
        priced: '375',
        shortfall: '0',
        groupRatio: '1',
        baseUsd: '0.00075',
        inputPerMTok: '0.15',
        outputPerMTok: '0.6',
        cacheReadPerMTok: '0.075',
        cacheWritePerMTok: '',
        perCall: '',
        outcome: 'completed',
        usageSource: 'upstream',
        latencyMs: '812',
        firstTokenMs: '120',
        isStream: 'true',
        statusCode: '200',
        ip: '10.0.0.1',
        content: '',
      })
      const manage = records.find((record) => record.type === 'manage')!
      expect([manage.charged, manage.tokenId, manage.content]).toEqual(['', '', 'options changed: retryTimes'])
    })

    test('text a spreadsheet would run as a formula gets a leading apostrophe; quotes, commas and newlines are quoted', async () => {
      const { text, records } = await exported('from=2025-01-01T00:00:00.000Z&to=2025-02-01T00:00:00.000Z')
      const contents = new Map(records.map((record) => [record.requestId, record.content]))
      expect(contents.get(`req_3_${aliceId}`)).toBe('\'=HYPERLINK("http://evil.example","click")')
      expect(contents.get(`req_5_${aliceId}`)).toBe("'+1")
      expect(contents.get(`req_20_${aliceId}`)).toBe("'-2")
      expect(contents.get(`req_2_${bobId}`)).toBe("'@SUM(A1:A2)")
      expect(contents.get(`req_6_${bobId}`)).toBe("'\tindented")
      expect(contents.get(`req_4_${aliceId}`)).toBe('plain, with "quotes"\r\nand a second line')
      expect(text).toContain(',"\'=HYPERLINK(""http://evil.example"",""click"")",')
      expect(text).toContain(',"plain, with ""quotes""\r\nand a second line",')
    })

    test('filters narrow the export exactly as they narrow the list', async () => {
      for (const query of [
        `type=consume&userId=${aliceId}`,
        'model=gpt-4o',
        `userId=${bobId}&type=error`,
        'from=2025-01-03T00:00:00.000Z&to=2025-01-06T00:00:00.000Z',
        `requestId=req_4_${aliceId}`,
      ]) {
        const listed = await list(query)
        const { records } = await exported(query)
        expect(records.map((record) => Number(record.id))).toEqual(listed.map((item) => item.id))
      }
      const { records } = await exported('from=2025-01-03T00:00:00.000Z&to=2025-01-06T00:00:00.000Z')
      expect(records.map((record) => record.requestId)).toEqual([`req_5_${aliceId}`, `req_4_${aliceId}`, `req_3_${aliceId}`])
      const bad = await get('/api/logs/export?from=yesterday')
      expect(bad.status).toBe(400)
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('from')
    })

    test('a plain user exports only their own rows, whatever userId says, and reads only their own log', async () => {
      const { records } = await exported(`userId=${bobId}`, alice)
      const own = await list(`userId=${aliceId}`)
      expect(records.length).toBe(own.length)
      expect(records.every((record) => record.userId === String(aliceId))).toBe(true)
      const bobsLog = (await list(`userId=${bobId}`))[0]!
      expect((await get(`/api/logs/${bobsLog.id}`, alice)).status).toBe(404)
      expect((await get(`/api/logs/${own[0]!.id}`, alice)).status).toBe(200)
      expect(await (await get(`/api/logs/${own[0]!.id}`, alice)).json()).toEqual(own[0]!)
      expect(await (await get(`/api/logs/${bobsLog.id}`)).json()).toEqual(bobsLog)
      expect((await get('/api/logs/999999999')).status).toBe(404)
      expect((await fetch(`${gateway.url}/api/logs/export`)).status).toBe(401)
    })

    test('100,000 rows export completely, newest first, ties on the same microsecond broken by id', async () => {
      const text = await readText(await get(`/api/logs/export?userId=${bulkId}`))
      const rows = parseCsv(text)
      expect(rows.length).toBe(100_001)
      expect(rows[0]!.join(',')).toBe(HEADER)
      const quotas = rows.slice(1).map((row) => Number(row[16]))
      expect(quotas[0]).toBe(100_000)
      expect(quotas.at(-1)).toBe(1)
      expect(new Set(quotas).size).toBe(100_000)
      const ids = rows.slice(1).map((row) => Number(row[0]))
      expect(ids.every((id, index) => index === 0 || id < ids[index - 1]!)).toBe(true)
    })

    test('rows sharing a timestamp are neither lost nor repeated across batch boundaries, whatever the batch size', async () => {
      const listed = await list(`userId=${carolId}`)
      expect(listed.map((item) => item.quota)).toEqual([7, 4, 8, 6, 5, 3, 2, 1])
      const root: Actor = { id: 1, username: 'root', role: 'root', group: 'default' }
      for (const batchSize of [1, 2, 3, 4, 5, 8, 1000]) {
        const text = await readText(new Response(logCsvStream(gateway.context, root, { userId: carolId }, { batchSize })))
        expect(csvRecords(text).map((record) => Number(record.id))).toEqual(listed.map((item) => item.id))
      }
    })

    test('the export streams: rows reach the reader after one batch of a hundred, and cancelling stops the queries', async () => {
      const root: Actor = { id: 1, username: 'root', role: 'root', group: 'default' }
      let batches = 0
      const reader = logCsvStream(
        gateway.context,
        root,
        { userId: bulkId },
        {
          onBatch: () => {
            batches += 1
          },
        },
      ).getReader()
      const decoder = new TextDecoder()
      expect(decoder.decode((await reader.read()).value)).toBe(`${HEADER}\r\n`)
      const firstRows = decoder.decode((await reader.read()).value)
      const batchesWhenRowsArrived = batches
      // Rows sharing the batch's last timestamp wait for the next batch, so a batch holds up to 1,000 rows.
      expect(parseCsv(firstRows).length).toBeGreaterThan(990)
      expect(batchesWhenRowsArrived).toBeLessThanOrEqual(2)
      await reader.cancel()
      const batchesAfterCancel = batches
      expect(batchesAfterCancel).toBeLessThanOrEqual(batchesWhenRowsArrived + 1)
      await gateway.context.database.db.execute(sql`select 1`)
      expect(batches).toBe(batchesAfterCancel)
      expect(batches).toBeLessThan(100)
    })
  })
}

for (const backend of testBackends) {
  // A table written once and never analysed (PGlite never runs autovacuum): the planner guesses the
  // rows below a cursor from its pages alone, ~2,500 of 24,000, and without the export's settings
  // picked a sequential scan of the whole table and a top-N sort for every batch.
  test(`every export batch walks the created_at index from the cursor down, never a scan and sort of the whole table (${backend.name})`, async () => {
    const gateway = await startGateway(backend)
    try {
      const db = gateway.context.database.db
      await db.execute(sql`
        insert into logs (created_at, type, user_id, username, quota, details)
        select timestamptz '2026-01-01 00:00:00+00' + (g / 20) * interval '1 millisecond', 'consume', 1, 'bulk', g, jsonb_build_object('charged', g)
        from generate_series(1, 24000) as g`)
      const root: Actor = { id: 1, username: 'root', role: 'root', group: 'default' }
      for (const query of [{}, { type: 'consume' as const }, { from: '2025-12-31T00:00:00Z' }]) {
        const plan = await db.transaction(async (tx) => {
          await tx.execute(exportPlanSettings(query))
          const cursor = sql`${logs.createdAt} <= ${'2026-01-01 00:00:00.5+00'}::timestamptz`
          const result = await tx.execute(sql`explain ${exportBatchQuery(tx, [...logFilters(root, query), cursor], 1000)}`)
          const rows = (result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])
          return rows.map((row) => Object.values(row as object)[0]).join('\n')
        })
        expect({ query, plan }).toEqual({ query, plan: expect.stringMatching(/Index Scan Backward/) })
        expect({ query, plan }).toEqual({ query, plan: expect.not.stringMatching(/Sort|Seq Scan/) })
      }
    } finally {
      await gateway.stop()
    }
  })
}
