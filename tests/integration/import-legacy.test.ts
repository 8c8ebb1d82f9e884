import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { asc, count, eq, ne } from 'drizzle-orm'
import { abilities, channels, logs, oauthAccounts, options, redemptions, tokens, topups, users } from '../../core/db/schema.ts'
import { sha256Hex } from '../../core/security/crypto.ts'
import { openSourceDatabase } from '../../core/import/source-database.ts'
import { runImport, type ImportReport, type ImportTarget } from '../../core/import/run-import.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import {
  buildLegacySource,
  legacyRows,
  privatePostgresDatabase,
  type LegacyEngine,
  type LegacyFacts,
  type LegacyFlavour,
  type LegacySource,
} from '../support/legacy-databases.ts'

// The importer against real One API and New API databases (SQLite file, MariaDB, PostgreSQL) built
// from their GORM schemas: what it reports, what it writes, that a second run writes nothing, and
// that an imported key calls an imported channel through the official openai SDK and is billed what
// New API would have billed.

const engines: LegacyEngine[] = ['sqlite']
if (process.env.TEST_MYSQL_URL) engines.push('mysql')
else console.warn('!!! TEST_MYSQL_URL is not set: import tests from MariaDB are SKIPPED (eval "$(bash scripts/test-mariadb.sh start)")')
if (process.env.TEST_DATABASE_URL) engines.push('postgres')
else console.warn('!!! TEST_DATABASE_URL is not set: import tests from PostgreSQL are SKIPPED (eval "$(bash scripts/test-services.sh start)")')

const TABLES = { users, tokens, channels, abilities, redemptions, options, oauth_accounts: oauthAccounts, logs, topups }

/** New API's charge for a chat call: (prompt + completion × completion ratio) × model ratio × group ratio, rounded. */
function newApiQuota(usage: { prompt: number; completion: number }, ratios: { model: number; completion: number; group: number }): number {
  return Math.round((usage.prompt + usage.completion * ratios.completion) * ratios.model * ratios.group)
}

// One gateway for the file, emptied before each source: on a PostgreSQL database of its own when the
// test server is there (it starts fastest, and no other suite empties it mid-count), else on PGlite.
let gateway: TestGateway
let fake: FakeOpenAI
let targetDatabase: Awaited<ReturnType<typeof privatePostgresDatabase>>
beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: ['sk-upstream-imported'] })
  targetDatabase = await privatePostgresDatabase('import_target')
  gateway = await startGateway({ databaseUrl: targetDatabase?.url })
})
afterAll(async () => {
  await gateway?.stop()
  await fake?.stop()
  await targetDatabase?.drop()
})

/** Empties what an import writes, keeping the gateway's root, and tells the caches. */
async function emptyTarget(): Promise<void> {
  await gateway.services.inflight.drain(10_000)
  await gateway.context.logWriter.flush()
  const db = gateway.context.database.db
  for (const table of [logs, abilities, oauthAccounts, redemptions, topups, tokens, channels, options]) await db.delete(table)
  await db.delete(users).where(ne(users.role, 'root'))
  await Promise.all((['users', 'tokens', 'channels', 'options'] as const).map((topic) => gateway.context.bus.publish(topic)))
}

for (const flavour of ['one-api', 'new-api'] as LegacyFlavour[]) {
  for (const engine of engines) {
    describe(`import from ${flavour} on ${engine}`, () => {
      const newApi = flavour === 'new-api'
      let source: LegacySource
      let facts: LegacyFacts
      let target: ImportTarget

      const run = async (apply: boolean, withLogs = false): Promise<ImportReport> => {
        const database = await openSourceDatabase(source.from)
        try {
          return await runImport(database, target, { apply, withLogs, logBatchSize: 2 })
        } finally {
          await database.close()
        }
      }
      const db = () => gateway.context.database.db
      const counts = async () =>
        Object.fromEntries(
          await Promise.all(Object.entries(TABLES).map(async ([name, table]) => [name, (await db().select({ n: count() }).from(table))[0]!.n])),
        )
      const snapshot = async () => ({
        users: await db().select().from(users).orderBy(asc(users.id)),
        tokens: await db().select().from(tokens).orderBy(asc(tokens.id)),
        channels: (await db().select().from(channels).orderBy(asc(channels.id))).map(({ keysEncrypted: _sealed, ...row }) => row),
        abilities: await db().select().from(abilities),
        redemptions: await db().select().from(redemptions).orderBy(asc(redemptions.id)),
        options: await db().select().from(options).orderBy(asc(options.key)),
        oauth: await db().select().from(oauthAccounts).orderBy(asc(oauthAccounts.id)),
        topups: await db().select().from(topups).orderBy(asc(topups.id)),
      })
      const summary = (report: ImportReport, table: string) => report.tables.find((entry) => entry.table === table)

      beforeAll(async () => {
        await emptyTarget()
        const built = await legacyRows(flavour, fake.url)
        facts = built.facts
        source = await buildLegacySource(flavour, engine, built.rows)
        const box = gateway.context.secretBox
        target = { db: db(), seal: box.seal, open: box.open, channelTypes: new Set(gateway.context.registry.channelTypes().map((entry) => entry.spec.id)) }
      })
      afterAll(async () => {
        await source?.drop()
      })

      test('a dry run reports what would change and what cannot be carried over, and writes nothing', async () => {
        const before = await counts()
        const report = await run(false)
        await gateway.context.logWriter.flush()
        expect(await counts()).toEqual(before)
        expect(report).toMatchObject({ flavour, applied: false, nothingToDo: false })
        expect(summary(report, 'users')).toEqual({ table: 'users', inSource: newApi ? 5 : 4, toAdd: 3, present: 1, notCarried: newApi ? 1 : 0 })
        expect(summary(report, 'tokens')).toMatchObject({ inSource: newApi ? 4 : 3, toAdd: 3 })
        expect(summary(report, 'channels')).toEqual({ table: 'channels', inSource: 6, toAdd: 4, present: 0, notCarried: 2 })
        expect(summary(report, 'abilities (rebuilt from channels)')).toMatchObject({ inSource: 9, toAdd: 7 })
        expect(summary(report, 'redemptions')).toMatchObject({ inSource: 3, toAdd: 3 })
        expect(summary(report, 'top_ups')).toEqual({ table: 'top_ups', inSource: newApi ? 2 : 0, toAdd: newApi ? 2 : 0, present: 0, notCarried: 0 })
        const reasons = report.notCarried.map((entry) => `${entry.table}: ${entry.reason}${entry.label ? ` [${entry.label}]` : ''}`)
        expect(reasons).toContain('channels: channel type 15 (Baidu) has no equivalent here [ernie]')
        expect(reasons).toContain(
          newApi ? 'channels: channel type 36 (Suno) has no equivalent here [suno]' : 'channels: channel type 43 (Proxy) has no equivalent here [proxy]',
        )
        expect(reasons).toContain('options: option this gateway does not know [SMTPServer]')
        if (newApi) {
          expect(reasons).toContain('users: user deleted in the source [dave]')
          expect(reasons).toContain('tokens: token deleted in the source [old]')
        }
        expect(report.warnings).toContain('user "bob": wechat_id has no sign-in provider here (not carried over)')
      })

      test('--apply writes users, linked accounts, keys, channels, abilities, codes and ratios', async () => {
        const report = await run(true)
        expect(report.applied).toBe(true)
        expect(await counts()).toMatchObject({
          users: 4,
          tokens: 3,
          channels: 4,
          abilities: 7,
          redemptions: 3,
          oauth_accounts: newApi ? 3 : 2,
          topups: newApi ? 2 : 0,
        })

        const [alice] = await db().select().from(users).where(eq(users.username, 'alice'))
        expect(alice).toMatchObject({
          role: 'user',
          group: 'vip',
          quota: 25_000_000,
          usedQuota: 1_234_567,
          requestCount: 321,
          email: 'alice@example.com',
          status: 'enabled',
          displayName: 'Alice',
        })
        const [bob] = await db().select().from(users).where(eq(users.username, 'bob'))
        expect(bob).toMatchObject({ role: 'admin', quota: 2_000_000_000 })
        expect((await db().select().from(users).where(eq(users.username, 'carol')))[0]?.status).toBe('disabled')
        expect((await db().select().from(users).where(eq(users.username, 'root')))[0]?.quota).not.toBe(100_000_000)
        const linked = (await db().select().from(oauthAccounts)).map((row) => `${row.provider}:${row.subject}:${row.userId}`).sort()
        expect(linked).toEqual(
          (newApi
            ? [`github:583231:${alice!.id}`, `discord:80351110224678912:${bob!.id}`, `telegram:99119911:${bob!.id}`]
            : [`github:583231:${alice!.id}`, `oidc:oidc|bob:${bob!.id}`]
          ).sort(),
        )

        const [main] = await db()
          .select()
          .from(tokens)
          .where(eq(tokens.keyHash, sha256Hex(`sk-${facts.aliceKey}`)))
        expect(main).toMatchObject({
          userId: alice!.id,
          name: 'chat app',
          remainQuota: 10_000_000,
          usedQuota: 250_000,
          unlimited: false,
          status: 'enabled',
          models: null,
          expiresAt: null,
        })
        const [limited] = await db()
          .select()
          .from(tokens)
          .where(eq(tokens.keyHash, sha256Hex(`sk-${facts.aliceLimitedKey}`)))
        expect(limited).toMatchObject({ models: ['gpt-4o-mini', 'gpt-4o'], ipAllowlist: ['10.0.0.0/8', '192.168.1.10'] })
        const [batch] = await db().select().from(tokens).where(eq(tokens.name, 'batch'))
        expect(batch).toMatchObject({ userId: bob!.id, status: 'disabled', unlimited: true })
        expect(batch!.expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z')

        const byName = new Map((await db().select().from(channels)).map((row) => [row.name, row]))
        expect(byName.get('openai primary')).toMatchObject({
          type: 'openai',
          baseUrl: fake.url,
          models: ['gpt-4o-mini', 'gpt-4o'],
          groups: ['default', 'vip'],
          priority: 10,
          weight: 5,
          status: 'enabled',
          usedQuota: 999_999,
          modelMapping: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' },
          statusCodeMapping: newApi ? { 400: '500' } : {},
          tags: newApi ? ['openai'] : [],
          settings: newApi ? { organization: 'org-imported' } : {},
        })
        expect(JSON.parse(gateway.context.secretBox.open(byName.get('openai primary')!.keysEncrypted))).toEqual(['sk-upstream-imported'])
        expect(byName.get('azure east')).toMatchObject({
          type: 'azure',
          baseUrl: 'https://east.openai.azure.com',
          settings: { apiVersion: '2024-10-21' },
          status: 'manually-disabled',
          weight: 1,
        })
        expect(byName.get('anthropic')).toMatchObject({
          type: 'claude',
          status: 'auto-disabled',
          keysPreview: newApi ? ['sk-…-one', 'sk-…-two'] : ['sk-…-one'],
          keyMode: newApi ? 'round-robin' : 'random',
          statusCodeMapping: newApi ? { 529: '503' } : {},
        })
        expect(byName.get('deepseek')).toMatchObject({ type: 'openai-compatible', baseUrl: 'https://api.deepseek.com', models: ['deepseek-chat'] })

        const stored = new Map((await db().select().from(options)).map((row) => [row.key, (row.value as { v: unknown }).v]))
        expect(stored.get('modelRatios')).toEqual({
          'gpt-4o-mini': { modelRatio: 0.075, completionRatio: 4 },
          'gpt-4o': { modelRatio: 1.25, completionRatio: 4 },
          'deepseek-chat': { modelRatio: 0.135 },
        })
        expect(stored.get('groupRatios')).toEqual({ default: 1, vip: 0.8, svip: 0.6 })
        expect(stored.get('newUserQuota')).toBe(200_000)
        expect(stored.get('modelPrices')).toEqual(newApi ? { 'dall-e-3': { perCall: 0.04 }, mj_imagine: { perCall: 0.1 } } : undefined)
        const orders = (await db().select().from(topups).orderBy(asc(topups.tradeNo))).map((row) => [
          row.userId,
          row.provider,
          row.tradeNo,
          row.method,
          row.status,
          row.paidMinor,
          row.currency,
          row.quota,
          row.paidAt?.toISOString() ?? null,
        ])
        expect(orders).toEqual(
          newApi
            ? [
                [alice!.id, 'epay', 'USR2NO1735', 'alipay', 'paid', 7350, 'CNY', 5_000_000, '2025-01-01T00:00:30.000Z'],
                [alice!.id, 'stripe', 'USR2NO1736', 'stripe', 'expired', 14700, 'USD', 10_000_000, null],
              ]
            : [],
        )
        const codes = (await db().select().from(redemptions).orderBy(asc(redemptions.id))).map((row) => [row.codeHash, row.status, row.quota, row.redeemedBy])
        expect(codes).toEqual([
          [sha256Hex(facts.unusedCode), 'unused', 1_000_000, null],
          [sha256Hex(facts.usedCode), 'used', 1_000_000, newApi ? alice!.id : null],
          [expect.any(String), 'disabled', 50, null],
        ])
      })

      test('a second run finds everything present and changes nothing', async () => {
        const before = await snapshot()
        const report = await run(true)
        expect(report.nothingToDo).toBe(true)
        expect(report.tables.every((table) => table.toAdd === 0)).toBe(true)
        expect(summary(report, 'users')).toMatchObject({ toAdd: 0, present: newApi ? 4 : 4 })
        expect(await snapshot()).toEqual(before)
      })

      test('the imported key calls the imported channel with the openai SDK and is billed as New API bills it', async () => {
        await Promise.all((['users', 'tokens', 'channels', 'options'] as const).map((topic) => gateway.context.bus.publish(topic)))
        const [token] = await db()
          .select()
          .from(tokens)
          .where(eq(tokens.keyHash, sha256Hex(`sk-${facts.aliceKey}`)))
        const [alice] = await db().select().from(users).where(eq(users.username, 'alice'))
        const client = new OpenAI({ apiKey: `sk-${facts.aliceKey}`, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
        fake.queue({ kind: 'usage', usage: { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801 } })
        const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] })
        expect(completion.choices[0]?.message.content).toBeTruthy()
        expect(completion.usage).toMatchObject({ prompt_tokens: 1234, completion_tokens: 567 })
        expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer sk-upstream-imported')
        expect(fake.requests.at(-1)?.body?.model).toBe('gpt-4o-mini-2024-07-18')

        // alice is in the vip group (0.8); gpt-4o-mini has model ratio 0.075 and completion ratio 4.
        const expected = newApiQuota({ prompt: 1234, completion: 567 }, { model: 0.075, completion: 4, group: 0.8 })
        expect(expected).toBe(210)
        expect(await gateway.tokenBalance(token!.id)).toEqual({ remainQuota: 10_000_000 - expected, usedQuota: 250_000 + expected })
        expect(await gateway.balance(alice!.id)).toEqual({ quota: 25_000_000 - expected, usedQuota: 1_234_567 + expected })
        const [log] = await gateway.logs({ type: 'consume', tokenId: token!.id })
        expect(log).toMatchObject({ quota: expected, promptTokens: 1234, completionTokens: 567 })
      })

      test('imported passwords sign in; an unused code redeems once, a used one does not', async () => {
        // Sign-ins and redemptions share a per-IP limit; this file makes more than it allows from 127.0.0.1.
        await gateway.context.options.update({ rateLimits: { ...gateway.context.options.get().rateLimits, loginPerIpPerMinute: 0 } })
        const login = await fetch(`${gateway.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'alice', password: facts.alicePassword }),
        })
        expect(login.status).toBe(200)
        const before = (await gateway.admin<{ quota: number }>('GET', '/api/users/1')).quota
        expect((await gateway.adminResponse('POST', '/api/redemptions/redeem', { code: facts.unusedCode })).status).toBe(200)
        expect((await gateway.admin<{ quota: number }>('GET', '/api/users/1')).quota).toBe(before + 1_000_000)
        expect((await gateway.adminResponse('POST', '/api/redemptions/redeem', { code: facts.unusedCode })).status).toBeGreaterThanOrEqual(400)
        expect((await gateway.adminResponse('POST', '/api/redemptions/redeem', { code: facts.usedCode })).status).toBeGreaterThanOrEqual(400)
      })

      test('--with-logs copies usage logs in batches, once', async () => {
        const first = await run(true, true)
        expect(summary(first, 'logs')).toEqual({ table: 'logs', inSource: 3, toAdd: 3, present: 0, notCarried: 0 })
        const imported = await db().select().from(logs).where(eq(logs.username, 'alice')).orderBy(asc(logs.createdAt))
        const fromSource = imported.filter((row) => row.details && 'sourceLogId' in row.details)
        expect(fromSource).toHaveLength(3)
        const [channel] = await db().select().from(channels).where(eq(channels.name, 'openai primary'))
        expect(fromSource[0]).toMatchObject({
          type: 'consume',
          model: 'gpt-4o-mini',
          quota: 210,
          promptTokens: 1234,
          completionTokens: 567,
          channelId: channel!.id,
          latencyMs: newApi ? 2000 : 1850,
          isStream: false,
        })
        expect(fromSource[1]?.isStream).toBe(true)
        const second = await run(true, true)
        expect(summary(second, 'logs')).toMatchObject({ toAdd: 0, present: 3 })
        expect((await db().select({ n: count() }).from(logs).where(eq(logs.username, 'alice')))[0]!.n).toBe(imported.length)
      })
    })
  }
}
