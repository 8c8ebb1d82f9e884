import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect, type Socket } from 'node:net'
import { sql } from 'drizzle-orm'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from '../../core/server.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { signSessionValue } from '../../core/http/session-cookie.ts'
import { freshPostgresDatabase } from '../support/gateway-process.ts'
import { CAMPAIGN_BACKENDS, LONG_CAMPAIGN, reportCampaign } from './campaign-report.ts'
import { compressionBomb, missingRelayRoutes, operationsOf, probesFor, STATIC_TRAVERSALS, type Probe, type ProbedOperation } from './hostile-corpus.ts'

// The hostile input corpus at every admin and relay route (issue 14 item 4). Routes come from the two
// OpenAPI documents and the registry's relay routes at run time, so routes added later are probed too.
// Every probe must get a clear 4xx in the API's own error format (a closed connection for slowloris and
// malformed header lines), no 5xx, and change no row: users, tokens, channels, options, redemptions,
// access tokens, top-ups and the ledger are snapshotted around the whole corpus.
// Decisions: encoded bodies are decompressed with a bound (413 past MAX_REQUEST_BODY_MB once inflated) on
// the relay, and refused with 415 on the admin API, whose bodies are small JSON; a connection that has not
// sent its request headers within HEADERS_TIMEOUT_SECONDS is closed.

const MODEL = 'gpt-4o-mini'
const DEPTH = 10_000
const BOMB_BYTES = LONG_CAMPAIGN ? 256 * 1024 * 1024 : 40 * 1024 * 1024
/**
 * The probe families whose outcome can depend on the database and its driver (injection strings in filters,
 * numbers past a column's range, odd strings and ids stored or looked up): what the short PostgreSQL run
 * sends. Parsing, decompression, headers and slow connections are the server's alone, proven on PGlite.
 */
const DATABASE_FAMILIES = new Set(['sql injection', 'numbers', 'strings', 'path traversal'])

/** The columns that may move without anything having changed (last use stamps). */
const VOLATILE = /^(accessed_at|last_used_at|updated_at|last_login_at|last_seen_at)$/

/** The rows a probe must never change, as one comparable text per table. */
async function snapshot(gateway: TestGateway): Promise<Record<string, string>> {
  await gateway.services.inflight.drain(5000)
  await gateway.context.logWriter.flush()
  const tables = ['users', 'tokens', 'channels', 'options', 'redemptions', 'access_tokens', 'topups', 'abilities', 'ledger_state']
  const result: Record<string, string> = {}
  for (const table of tables) {
    const rows = (await gateway.context.database.db.execute(sql.raw(`select * from ${table} order by 1`))) as unknown as
      | Array<Record<string, unknown>>
      | { rows: Array<Record<string, unknown>> }
    const list = Array.isArray(rows) ? rows : rows.rows
    result[table] = JSON.stringify(list.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !VOLATILE.test(column)))))
  }
  const usage = (await gateway.context.database.db.execute(
    sql.raw("select count(*) as n, coalesce(sum(quota), 0) as q from logs where type = 'consume'"),
  )) as unknown as Array<Record<string, unknown>> | { rows: Array<Record<string, unknown>> }
  result.consumeLogs = JSON.stringify(Array.isArray(usage) ? usage : usage.rows)
  return result
}

/** The tables whose rows differ between two snapshots. */
function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((table) => before[table] !== after[table])
}

/**
 * True for an error body in one of the API's shapes: admin and OpenAI `{error:{message}}`, Claude
 * `{type:"error",error:{message}}`, Gemini `{error:{code,message,status}}`, Cohere-style rerank `{message}`.
 */
function isApiError(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown }
    const message = body.error?.message ?? body.message
    return typeof message === 'string' && message.length > 0
  } catch {
    return false
  }
}

/** True for a list answer with no rows: `{items: []}`, `[]`, or a CSV export with only its header line. */
function foundNothing(text: string): boolean {
  try {
    const body = JSON.parse(text) as { items?: unknown[] } | unknown[]
    return Array.isArray(body) ? body.length === 0 : Array.isArray(body.items) && body.items.length === 0
  } catch {
    return text.trim().split('\n').length <= 1
  }
}

/** Sends raw bytes on a fresh connection and resolves with what came back and how long the connection lived. */
function rawExchange(
  url: string,
  chunks: Array<string | Buffer>,
  gapMs = 0,
  giveUpMs = 15_000,
): Promise<{ reply: string; closedAfterMs: number; closed: boolean }> {
  const { hostname, port } = new URL(url)
  const started = performance.now()
  return new Promise((resolve) => {
    let reply = ''
    let closed = false
    const socket: Socket = connect(Number(port), hostname)
    const finish = () => resolve({ reply, closedAfterMs: performance.now() - started, closed })
    const timer = setTimeout(() => {
      socket.destroy()
      finish()
    }, giveUpMs)
    socket.on('data', (data) => {
      reply += data.toString('latin1')
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      closed = true
      clearTimeout(timer)
      finish()
    })
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (closed) return
        socket.write(chunk)
        if (gapMs) await Bun.sleep(gapMs)
      }
    })
  })
}

/** The status of a raw HTTP reply, or 0 when there was none. */
const rawStatus = (reply: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0)

for (const backend of CAMPAIGN_BACKENDS)
  describe(`hostile input corpus (${backend.name})`, () => {
    /** Every probe and test; the short PostgreSQL run sends the database families and the credential checks only. */
    const full = backend.databaseUrl === undefined || LONG_CAMPAIGN
    const fullOnly = test.skipIf(!full)
    let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined
    let gateway: TestGateway
    let fake: FakeOpenAI
    let relayKey: string
    let operations: ProbedOperation[] = []
    const findings: string[] = []
    let probeCount = 0
    /** Started first and judged last, so its wait for the server's header timeout overlaps the other probes. */
    let slowloris: ReturnType<typeof rawExchange>

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      // On PostgreSQL a database of its own (the shared test database is reset by other suites), dropped afterwards.
      database = backend.databaseUrl ? await freshPostgresDatabase(backend.databaseUrl, 'hostile') : undefined
      gateway = await startGateway({ databaseUrl: database?.url, keepData: true }, { maxRequestBodyMb: 4, redisUrl: backend.redisUrl })
      await gateway.createChannel({ name: 'upstream', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: [MODEL] })
      const userId = await gateway.createUser({ username: 'victim', quota: 5_000_000 })
      relayKey = (await gateway.createToken({ userId, name: 'victim key', quota: 1_000_000 })).key
      const slowHeaders = `GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(40)}\r\n\r\n`
      if (full) slowloris = rawExchange(gateway.url, [...slowHeaders], 1000, 25_000)
      await gateway.admin('POST', '/api/redemptions', { name: 'gift', quota: 1000, count: 1 })
      const admin = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
      const relay = (await (await fetch(`${gateway.url}/swagger/relay/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
      const relayOperations = operationsOf(relay, 'relay')
      operations = [
        ...operationsOf(admin, 'admin').filter((operation) => operation.path !== '/api/auth/logout'),
        ...relayOperations,
        ...missingRelayRoutes(relayOperations, gateway.context.registry.routes()),
      ]
    }, 60_000)
    afterAll(async () => {
      reportCampaign({ campaign: 'hostile', probes: probeCount, failures: findings.length, moneyDiscrepancyUnits: 0, rows: findings })
      await gateway.stop()
      await database?.drop()
      await fake.stop()
    }, 30_000)

    /** Sends one probe with the credentials its surface needs, and answers what is wrong with the reply (undefined when it is right). */
    async function judge(probe: Probe): Promise<string | undefined> {
      const credentials: Record<string, string> =
        probe.surface === 'admin' ? { authorization: `Bearer ${gateway.context.config.rootAccessToken ?? ''}` } : { authorization: `Bearer ${relayKey}` }
      probeCount += 1
      let response: Response
      try {
        response = await fetch(`${gateway.url}${probe.target}`, {
          method: probe.method,
          headers: { ...credentials, ...probe.headers },
          redirect: 'manual',
          body: probe.method === 'GET' || probe.method === 'DELETE' ? undefined : probe.body,
        })
      } catch (error) {
        return `${probe.name}: connection failed (${error instanceof Error ? error.message : String(error)})`
      }
      const text = await response.text()
      // A text filter given an injection string searches for that text: a 200 that found nothing is right.
      if (probe.family === 'sql injection' && response.status === 200 && foundNothing(text)) return undefined
      // The browser sign-in routes answer every mistake with a redirect back to the sign-in page.
      if (response.status >= 300 && response.status < 400 && (response.headers.get('location') ?? '').startsWith('/')) return undefined
      if (response.status < 400 || response.status >= 500) return `${probe.name}: HTTP ${response.status} ${text.slice(0, 160)}`
      if (!isApiError(text)) return `${probe.name}: HTTP ${response.status} without an error body: ${text.slice(0, 120)}`
      return undefined
    }

    test('every route refuses every body, number, string, path and query probe with a clear 4xx and changes nothing', async () => {
      expect(operations.filter((operation) => operation.surface === 'relay').length).toBeGreaterThan(5)
      expect(operations.filter((operation) => operation.surface === 'admin').length).toBeGreaterThan(40)
      // Bombs only where their family is sent (building three of 40 MB takes seconds).
      const bombBytes = full ? BOMB_BYTES : 1024
      const bombs = { gzip: compressionBomb('gzip', bombBytes), deflate: compressionBomb('deflate', bombBytes), br: compressionBomb('br', bombBytes) }
      const wrong: string[] = []
      let before = await snapshot(gateway)
      for (const operation of operations) {
        for (const probe of probesFor(operation, { bombBytes: BOMB_BYTES, depth: DEPTH }, bombs).filter(
          (probe) => full || DATABASE_FAMILIES.has(probe.family),
        )) {
          const problem = await judge(probe)
          if (problem) wrong.push(problem)
        }
        // Per route, so a change names the route that made it.
        const after = await snapshot(gateway)
        const changed = changedTables(before, after)
        if (changed.length > 0) wrong.push(`${operation.method} ${operation.path}: probes changed ${changed.join(', ')}`)
        before = after
      }
      for (const request of fake.requests) wrong.push(`reached the upstream: ${request.method} ${request.path} ${request.rawBody.slice(0, 80)}`)
      findings.push(...wrong)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('polluted')
      expect(wrong).toEqual([])
    }, 120_000)

    fullOnly('static paths that try to leave the dashboard or the API never reach a file', async () => {
      // A built dashboard of two files, beside a file it must never serve.
      const root = mkdtempSync(join(tmpdir(), 'hostile-dashboard-'))
      mkdirSync(join(root, 'dist', 'assets'), { recursive: true })
      writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><div id="app"></div>')
      writeFileSync(join(root, 'dist', 'assets', 'app.js'), 'console.log(1)')
      writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET-CONTENT')
      const { app } = await createServer(gateway.context, { dashboardDir: join(root, 'dist') })
      app.listen({ port: 0, hostname: '127.0.0.1' })
      const url = `http://127.0.0.1:${app.server?.port}`
      const leaked: string[] = []
      try {
        for (const path of [
          ...STATIC_TRAVERSALS,
          '/..%2fsecret.txt',
          '/assets/..%2f..%2fsecret.txt',
          '/assets/%2e%2e/%2e%2e/secret.txt',
          '/%2e%2e%5csecret.txt',
        ]) {
          probeCount += 1
          const { reply } = await rawExchange(url, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`])
          const status = rawStatus(reply)
          if (status >= 500 || status === 0 || /root:.*:0:0:|"name":\s*"hanggent-api"|\[fonts\]|TOP-SECRET/.test(reply))
            leaked.push(`${path}: ${reply.slice(0, 120)}`)
        }
      } finally {
        await app.stop(true)
        rmSync(root, { recursive: true, force: true })
      }
      findings.push(...leaked)
      expect(leaked).toEqual([])
    })

    fullOnly('CRLF and NUL in header values, obsolete line folding and a 64 KB header are refused or the connection is closed', async () => {
      const request = (extra: string) =>
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${relayKey}\r\n${extra}Content-Length: 2\r\nConnection: close\r\n\r\n{}`
      const cases: Array<[string, string | Buffer]> = [
        ['NUL in a header value', request('X-Probe: a\0b\r\n')],
        ['a bare CR in a header value', request('X-Probe: a\rInjected: yes\r\n')],
        ['CRLF in a header name', request('X-Pro\r\nbe: a\r\n')],
        ['obsolete line folding', request('X-Probe: a\r\n  folded: yes\r\n')],
        ['a 64 KB header', request(`X-Probe: ${'a'.repeat(64 * 1024)}\r\n`)],
        ['invalid UTF-8 in a header value', Buffer.concat([Buffer.from(request('X-Probe: ').slice(0, -1)), Buffer.from([0xed, 0xa0, 0x80, 0x0d, 0x0a])])],
      ]
      const wrong: string[] = []
      for (const [what, bytes] of cases) {
        probeCount += 1
        const { reply, closed } = await rawExchange(gateway.url, [bytes])
        const status = rawStatus(reply)
        // The relay treats an unknown header as one more header; what matters is that nothing breaks or reaches a 2xx/5xx.
        if (status >= 500 || (status !== 0 && status < 400) || (status === 0 && !closed)) wrong.push(`${what}: ${reply.slice(0, 100) || 'no reply'}`)
      }
      findings.push(...wrong)
      expect(wrong).toEqual([])
    })

    fullOnly('unicode edge cases in relay model names get a 4xx naming no such model', async () => {
      fake.reset()
      const wrong: string[] = []
      for (const model of ['gpt\u202e-4o', 'gpt\u200b-4o', '\ud800', '\u0000', 'x'.repeat(70_000)]) {
        probeCount += 1
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        })
        const text = await response.text()
        if (response.status < 400 || response.status >= 500 || !isApiError(text))
          wrong.push(`${JSON.stringify(model.slice(0, 20))}: ${response.status} ${text.slice(0, 100)}`)
      }
      await gateway.services.inflight.drain(5000)
      // The error rows of these calls must still be written (a NUL in a logged model name would break the batch).
      await gateway.context.logWriter.flush()
      findings.push(...wrong)
      expect(wrong).toEqual([])
      expect(fake.requests.length).toBe(0)
    })

    fullOnly(
      'a prompt of one 2 MB word is answered within seconds: counting its tokens stays linear',
      async () => {
        probeCount += 1
        const started = performance.now()
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'a'.repeat(2 * 1024 * 1024) }] }),
        })
        await response.text()
        const seconds = (performance.now() - started) / 1000
        if (seconds > 10) findings.push(`a 2 MB word took ${seconds.toFixed(1)} s`)
        expect(response.status).toBeLessThan(500)
        expect(seconds).toBeLessThan(10)
      },
      20_000,
    )

    test('forged and expired cookies and tokens get a 401 in the API format', async () => {
      const past = new Date(Date.now() - 60_000).toISOString()
      const expired = await gateway.createToken({ name: 'expired', quota: 1000, expiresAt: past })
      const cases: Array<[string, string, Record<string, string>]> = [
        ['forged relay key', '/v1/chat/completions', { authorization: 'Bearer sk-forged0000000000000000000000000000000000000' }],
        ['expired relay key', '/v1/chat/completions', { authorization: `Bearer ${expired.key}` }],
        ['relay key with a NUL', '/v1/chat/completions', { authorization: `Bearer ${relayKey.slice(0, 10)}%00` }],
        ['session cookie with a forged signature', '/api/users/me', { cookie: 'hanggent_session=abc.def' }],
        [
          'session cookie signed with another secret',
          '/api/users/me',
          { cookie: `hanggent_session=${signSessionValue('whatever', 'not-the-secret-0123456789')}` },
        ],
        [
          'well-signed cookie of a session that does not exist',
          '/api/users/me',
          { cookie: `hanggent_session=${signSessionValue('no-such-session', gateway.context.config.sessionSecret)}` },
        ],
        ['forged admin access token', '/api/users', { authorization: 'Bearer at-forged-000000000000000000' }],
        ['relay key used on the admin API', '/api/users', { authorization: `Bearer ${relayKey}` }],
      ]
      const wrong: string[] = []
      for (const [what, path, headers] of cases) {
        probeCount += 1
        const isRelay = path.startsWith('/v1')
        const response = await fetch(`${gateway.url}${path}`, {
          method: isRelay ? 'POST' : 'GET',
          headers: { 'content-type': 'application/json', ...headers },
          body: isRelay ? JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }) : undefined,
        })
        const text = await response.text()
        if (response.status !== 401 || !isApiError(text)) wrong.push(`${what}: ${response.status} ${text.slice(0, 100)}`)
      }
      findings.push(...wrong)
      expect(wrong).toEqual([])
    })

    test('a cookie-authenticated write without the CSRF header, or with a forged one, is refused and changes nothing', async () => {
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'victim', password: 'password-123', session: true }),
      })
      const cookies = login.headers
        .getSetCookie()
        .map((line) => line.split(';')[0]!)
        .join('; ')
      expect(cookies).toContain('hanggent_session=')
      const before = await snapshot(gateway)
      const attempts: Array<[string, Record<string, string>]> = [
        ['no CSRF header, foreign Origin', { cookie: cookies, origin: 'https://evil.example' }],
        ['no CSRF header', { cookie: cookies }],
        ['a CSRF header that does not match the cookie', { cookie: cookies, 'x-csrf-token': 'forged-csrf-value' }],
      ]
      const wrong: string[] = []
      for (const [what, headers] of attempts) {
        probeCount += 1
        const response = await fetch(`${gateway.url}/api/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ name: 'planted by another site', unlimited: true }),
        })
        const text = await response.text()
        if (response.status !== 403 || !isApiError(text)) wrong.push(`${what}: ${response.status} ${text.slice(0, 100)}`)
      }
      findings.push(...wrong)
      expect(wrong).toEqual([])
      expect(changedTables(before, await snapshot(gateway))).toEqual([])
    })

    fullOnly(
      'a connection that sends its headers one byte a second is closed by the server',
      async () => {
        probeCount += 1
        const { closed, closedAfterMs, reply } = await slowloris
        if (!closed || reply !== '') findings.push(`slowloris: closed=${closed} after ${Math.round(closedAfterMs)} ms, reply ${reply.slice(0, 60)}`)
        expect(reply).toBe('')
        expect(closed).toBe(true)
      },
      30_000,
    )
  })
