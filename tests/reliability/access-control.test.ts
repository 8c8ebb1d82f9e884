import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { freshPostgresDatabase } from '../support/gateway-process.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startFakeMidjourney } from '../support/fake-midjourney.ts'
import { startFakeSuno } from '../support/fake-suno.ts'
import { startFakeOpenAIVideo } from '../support/fake-video.ts'
import { pollTasksOnce } from '../../core/tasks/task-poller.ts'
import { CAMPAIGN_BACKENDS, reportCampaign } from './campaign-report.ts'
import { fill, operationsOf, type ProbedOperation } from './hostile-corpus.ts'

// Access control between two ordinary users (issue 14 item 5). Routes come from the OpenAPI document at
// run time: every route a user may call that takes an id is called by user A with each of user B's ids
// (tokens, logs, sessions, access tokens, top-ups, and tasks once they are listed) and must answer 404 (or
// 403) without changing B's rows; list filters naming B show A nothing of B's. A user cannot raise their
// own role, quota, group or status. Every answer a non-admin receives, including upstream failures relayed
// to them, is scanned for the channel's key and base URL. Secrets at rest are read from the database itself.

const MODEL = 'gpt-4o-mini'
const CHANNEL_KEY = 'sk-upstream-secret-key-0123456789abcdef'
const CHANNEL_NAME = 'hidden-channel-name'
const STRIPE_SECRET = 'sk_test_stripe-secret-0123456789'
const EPAY_KEY = 'epay-merchant-key-0123456789'
const OAUTH_SECRET = 'github-client-secret-0123456789'

interface Actor {
  id: number
  bearer: string
  relayKey: string
  tokenId: number
  ids: Record<string, number[]>
}

type Rows = Array<Record<string, unknown>>

async function rows(gateway: TestGateway, query: string): Promise<Rows> {
  const result = (await gateway.context.database.db.execute(sql.raw(query))) as unknown as Rows | { rows: Rows }
  return Array.isArray(result) ? result : result.rows
}

for (const backend of CAMPAIGN_BACKENDS)
  describe(`access control between two users (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined
    const midjourney = startFakeMidjourney('mj-secret')
    const suno = startFakeSuno({ key: 'suno-secret' })
    const video = startFakeOpenAIVideo({ key: 'sk-sora', contentBytes: 2_000 })
    let operations: ProbedOperation[] = []
    let alice: Actor
    let bob: Actor
    /** Every body a non-admin received, with where it came from. */
    const received: Array<{ where: string; body: string }> = []
    const findings: string[] = []
    let probes = 0

    async function as(actor: Pick<Actor, 'bearer'>, method: string, path: string, body?: unknown): Promise<Response> {
      probes += 1
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        redirect: 'manual',
        headers: { authorization: `Bearer ${actor.bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      received.push({
        where: `${method} ${path}`,
        body: `${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n${await response.clone().text()}`,
      })
      return response
    }

    async function relay(key: string, stream = false): Promise<Response> {
      probes += 1
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, stream, messages: [{ role: 'user', content: 'hi' }] }),
      })
      received.push({ where: `relay ${stream ? 'stream' : 'call'}`, body: `${[...response.headers].join('\n')}\n${await response.clone().text()}` })
      return response
    }

    /** A user with a relay key, an access token, a session, a usage log and a pending top-up attempt. */
    async function enrol(username: string): Promise<Actor> {
      const id = await gateway.createUser({ username, quota: 10_000_000 })
      const login = (await (
        await fetch(`${gateway.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'password-123' }),
        })
      ).json()) as { accessToken: string }
      const actor: Actor = { id, bearer: login.accessToken, relayKey: '', tokenId: 0, ids: {} }
      const token = (await (await as(actor, 'POST', '/api/tokens', { name: `${username} key`, quota: 1_000_000 })).json()) as { id: number; key: string }
      actor.relayKey = token.key
      actor.tokenId = token.id
      const accessToken = (await (await as(actor, 'POST', '/api/users/me/access-tokens', { name: `${username} script` })).json()) as { id: number }
      expect((await relay(actor.relayKey)).status).toBe(200)
      const logs = (await gateway.logs()).filter((row) => row.userId === id).map((row) => Number(row.id))
      const sessions = (await (await as(actor, 'GET', '/api/users/me/sessions')).json()) as Array<{ id: number }> | { items: Array<{ id: number }> }
      const sessionIds = (Array.isArray(sessions) ? sessions : sessions.items).map((session) => session.id)
      const topup = await as(actor, 'POST', '/api/topups', { method: 'alipay', amount: 10 })
      const topupIds = topup.ok ? [((await topup.json()) as { id: number }).id] : []
      actor.ids = { tokens: [token.id], 'access-tokens': [accessToken.id], logs, sessions: sessionIds, topups: topupIds }
      return actor
    }

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      // Tasks are due for polling at once, so the test drives them to completion with pollTasksOnce.
      // A database of its own on the shared server (other suites reset theirs), dropped afterwards.
      database = backend.databaseUrl ? await freshPostgresDatabase(backend.databaseUrl, 'access') : undefined
      gateway = await startGateway({ databaseUrl: database?.url, keepData: true }, { taskPollIntervalSeconds: 0.001, redisUrl: backend.redisUrl })
      await gateway.createChannel({ name: CHANNEL_NAME, type: 'openai', key: CHANNEL_KEY, baseUrl: fake.url, models: [MODEL] })
      await gateway.createChannel({ name: 'tasks-mj', type: 'midjourney', key: 'mj-secret', baseUrl: midjourney.url, models: ['mj_imagine'] })
      await gateway.createChannel({ name: 'tasks-suno', type: 'suno', key: 'suno-secret', baseUrl: suno.url, models: ['suno_music'] })
      await gateway.createChannel({ name: 'tasks-sora', type: 'openai', key: 'sk-sora', baseUrl: video.url, models: ['sora-2'] })
      await gateway.admin('PATCH', '/api/topups/settings', {
        stripe: { enabled: true, secretKey: STRIPE_SECRET, webhookSecret: 'whsec_0123456789' },
        epay: {
          enabled: true,
          gatewayUrl: 'https://pay.example.com',
          merchantId: '1001',
          merchantKey: EPAY_KEY,
          methods: [{ type: 'alipay', name: 'Alipay' }],
        },
      })
      await gateway.admin('PATCH', '/api/auth/settings', { github: { clientId: 'github-client-id', clientSecret: OAUTH_SECRET } })
      alice = await enrol('alice')
      bob = await enrol('bob')
      const document = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, { 'x-required-role'?: string }>> }
      operations = operationsOf(document, 'admin').filter((operation) => {
        const role = document.paths[operation.path]?.[operation.method.toLowerCase()]?.['x-required-role']
        return role === 'user' || role === 'public'
      })
    }, 60_000)
    afterAll(async () => {
      const leaks = received
        .filter((entry) => entry.body.includes(CHANNEL_KEY) || entry.body.includes(fake.url) || entry.body.includes(CHANNEL_NAME))
        .map((entry) => `leak: ${entry.where}`)
      reportCampaign({ campaign: 'access', probes, failures: findings.length + leaks.length, moneyDiscrepancyUnits: 0, rows: [...findings, ...leaks] })
      await gateway.stop()
      await database?.drop()
      await fake.stop()
      midjourney.stop()
      suno.stop()
      video.stop()
    }, 30_000)

    test("user A gets 404 for every one of user B's ids on every route a user may call, and B's rows stay as they were", async () => {
      const idRoutes = operations.filter((operation) => /\{[^}]+\}/.test(operation.path) && !operation.path.includes('{provider}'))
      expect(idRoutes.length).toBeGreaterThan(3)
      const before = JSON.stringify(await rows(gateway, `select * from tokens where user_id = ${bob.id} order by id`))
      const bobIds = [...new Set(Object.values(bob.ids).flat())].filter((id) => Number.isInteger(id))
      expect(bob.ids.tokens?.length && bob.ids.logs?.length && bob.ids.sessions?.length && bob.ids['access-tokens']?.length).toBeTruthy()
      const wrong: string[] = []
      for (const operation of idRoutes) {
        for (const id of bobIds) {
          // Ids A also owns (sequences are per table) say nothing: only ids that exist for B alone are probed.
          if (Object.values(alice.ids).some((owned) => owned.includes(id)) && !operation.path.startsWith('/api/tokens')) continue
          const body = operation.method === 'GET' || operation.method === 'DELETE' ? undefined : { name: 'taken over' }
          const status = (await as(alice, operation.method, fill(operation.path, String(id)), body)).status
          if (status !== 404 && status !== 403 && !(status === 400 && body !== undefined))
            wrong.push(`${operation.method} ${operation.path} with B's id ${id}: ${status}`)
        }
      }
      // B's own token, by the route that names it.
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const status = (await as(alice, method, `/api/tokens/${bob.tokenId}`, method === 'PATCH' ? { name: 'taken over' } : undefined)).status
        if (status !== 404) wrong.push(`${method} /api/tokens/{B's token}: ${status}`)
      }
      findings.push(...wrong)
      expect(wrong).toEqual([])
      expect(JSON.stringify(await rows(gateway, `select * from tokens where user_id = ${bob.id} order by id`))).toBe(before)
      expect((await relay(bob.relayKey)).status).toBe(200)
    })

    test("relay-side task routes: user A's key gets a 404 in the platform's error shape for each of B's tasks, and A's lists leave them out", async () => {
      const relayAs = async (actor: Actor, method: string, path: string, body?: unknown) => {
        probes += 1
        const response = await fetch(`${gateway.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${actor.relayKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        const text = await response.text()
        received.push({ where: `${method} ${path}`, body: text })
        return {
          status: response.status,
          text,
          json: (() => {
            try {
              return JSON.parse(text) as Record<string, unknown>
            } catch {
              return undefined
            }
          })(),
        }
      }
      // B's tasks on each platform, run to completion so their results (and content) exist.
      const mj = String((await relayAs(bob, 'POST', '/mj/submit/imagine', { prompt: 'bob fox' })).json?.result)
      const song = String((await relayAs(bob, 'POST', '/suno/submit/music', { prompt: '[Verse] la', title: 'Bob', tags: 'folk', mv: 'chirp-v3-5' })).json?.data)
      const clip = String((await relayAs(bob, 'POST', '/v1/videos', { model: 'sora-2', prompt: 'bob at sea', seconds: '4' })).json?.id)
      for (const id of [mj, song, clip]) expect(id).toStartWith('task_')
      for (let pass = 0; pass < 5; pass++) await pollTasksOnce(gateway.services)
      const bobBalance = await gateway.balance(bob.id)
      const mjShape = (json: Record<string, unknown> | undefined) => json?.code === 3 && json.result === null && typeof json.description === 'string'
      const sunoShape = (json: Record<string, unknown> | undefined) => json?.code === 'not_found' && json.data === null && typeof json.message === 'string'
      const openAIShape = (json: Record<string, unknown> | undefined) => typeof (json?.error as { message?: unknown } | undefined)?.message === 'string'
      const probesOf: Array<{ method: string; path: string; body?: unknown; shape: (json: Record<string, unknown> | undefined) => boolean }> = [
        { method: 'GET', path: `/mj/task/${mj}/fetch`, shape: mjShape },
        { method: 'GET', path: `/mj-fast/mj/task/${mj}/fetch`, shape: mjShape },
        { method: 'GET', path: `/mj/task/${mj}/image-seed`, shape: mjShape },
        { method: 'GET', path: `/suno/fetch/${song}`, shape: sunoShape },
        { method: 'GET', path: `/v1/videos/${clip}`, shape: openAIShape },
        { method: 'GET', path: `/v1/video/generations/${clip}`, shape: openAIShape },
        { method: 'GET', path: `/v1/videos/${clip}/content`, shape: openAIShape },
      ]
      const wrong: string[] = []
      for (const probe of probesOf) {
        // B reaches each one (so A's 404 is about ownership, not a missing route or task)...
        const own = await relayAs(bob, probe.method, probe.path)
        if (own.status !== 200) wrong.push(`B's own ${probe.method} ${probe.path}: ${own.status}`)
        // ...and A, with a valid key of their own, gets the platform's 404, with nothing of B's task in it.
        const taken = await relayAs(alice, probe.method, probe.path)
        if (taken.status !== 404 || !probe.shape(taken.json) || taken.text.includes('bob'))
          wrong.push(`A's ${probe.method} ${probe.path}: ${taken.status} ${taken.text.slice(0, 160)}`)
      }
      // Lists by id and the admin API's task route leave B's tasks out.
      const listed = await relayAs(alice, 'POST', '/mj/task/list-by-condition', { ids: [mj] })
      if (listed.status !== 200 || listed.text !== '[]') wrong.push(`A's list-by-condition with B's id: ${listed.status} ${listed.text.slice(0, 160)}`)
      const songs = await relayAs(alice, 'POST', '/suno/fetch', { ids: [song] })
      if (songs.status !== 200 || songs.text.includes(song)) wrong.push(`A's POST /suno/fetch with B's id: ${songs.status} ${songs.text.slice(0, 160)}`)
      for (const id of [mj, song, clip]) {
        const status = (await as(alice, 'GET', `/api/tasks/${id}`)).status
        if (status !== 404) wrong.push(`A's GET /api/tasks/{B's task}: ${status}`)
      }
      findings.push(...wrong)
      expect(wrong).toEqual([])
      // A's probes charged B nothing and changed none of B's tasks.
      expect(await gateway.balance(bob.id)).toEqual(bobBalance)
    }, 30_000)

    test("list filters naming user B show user A nothing of B's", async () => {
      const wrong: string[] = []
      for (const path of [
        `/api/tokens?userId=${bob.id}&all=true`,
        `/api/logs?userId=${bob.id}&pageSize=100`,
        `/api/topups?userId=${bob.id}`,
        `/api/logs/export?userId=${bob.id}`,
      ]) {
        const response = await as(alice, 'GET', path)
        const text = await response.text()
        if (response.status >= 500 || (response.ok && (text.includes('bob') || new RegExp(`"userId":\\s*${bob.id}\\b`).test(text))))
          wrong.push(`${path}: ${response.status} ${text.slice(0, 120)}`)
      }
      const stats = await as(alice, 'GET', `/api/stats?userId=${bob.id}`)
      if (stats.ok && (await stats.text()).includes('"requests":1')) wrong.push(`/api/stats?userId=B: ${stats.status}`)
      findings.push(...wrong)
      expect(wrong).toEqual([])
    })

    test('a user cannot raise their own role, quota, group or status', async () => {
      const before = (await rows(gateway, `select role, quota, "group", status, used_quota from users where id = ${alice.id}`))[0]
      const wrong: string[] = []
      for (const change of [{ role: 'admin' }, { role: 'root' }, { quota: 1e12 }, { usedQuota: 0 }, { group: 'vip' }, { status: 'enabled' }, { id: bob.id }]) {
        for (const path of ['/api/users/me', `/api/users/${alice.id}`]) {
          const status = (await as(alice, 'PATCH', path, change)).status
          if (status < 400 || status >= 500) wrong.push(`PATCH ${path} ${JSON.stringify(change)}: ${status}`)
        }
      }
      const lift = await as(alice, 'PATCH', `/api/tokens/${alice.tokenId}`, { userId: bob.id })
      if (lift.status < 400 || lift.status >= 500) wrong.push(`PATCH own token userId → B: ${lift.status}`)
      findings.push(...wrong)
      expect(wrong).toEqual([])
      expect((await rows(gateway, `select role, quota, "group", status, used_quota from users where id = ${alice.id}`))[0]).toEqual(before)
    })

    test("the channel's key, base URL and name never reach a non-admin, not even in relayed upstream failures or their own error logs", async () => {
      // Upstream failures that carry details back: a 401 body echoing the key, a 500 naming the base URL.
      fake.queue({
        kind: 'status',
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${CHANNEL_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } },
      })
      const logged: Array<{ message: string; fields: Record<string, unknown> }> = []
      const logger = gateway.context.logger
      const log = logger.log.bind(logger)
      logger.log = (level, message, fields) => {
        logged.push({ message, fields: fields ?? {} })
        log(level, message, fields)
      }
      const refused = await relay(alice.relayKey).finally(() => {
        logger.log = log
      })
      // The client learns that the upstream refused the gateway's credentials, not which channel nor what it said...
      const refusal = await refused.text()
      expect(refused.status).toBe(502)
      expect(refusal).toContain('credentials')
      expect(refusal).not.toContain(CHANNEL_NAME)
      expect(refusal).not.toContain('Incorrect API key')
      // ...the admin's log has both, under the request id the client was given.
      const attempt = logged.find((entry) => entry.message === 'upstream attempt failed')
      expect(attempt?.fields).toMatchObject({ requestId: refused.headers.get('x-request-id'), channelName: CHANNEL_NAME })
      expect(String(attempt?.fields.detail)).toContain('Incorrect API key provided: [redacted]')
      await gateway.admin('PATCH', '/api/channels/1', { status: 'enabled' })
      fake.queue({ kind: 'status', status: 500, body: { error: { message: `proxy error at ${fake.url}/v1/chat/completions`, type: 'server_error' } } })
      await relay(alice.relayKey, true)
      await gateway.admin('PATCH', '/api/channels/1', { status: 'enabled' })
      fake.queue({
        kind: 'status',
        status: 400,
        body: { error: { message: `bad request for ${fake.url} with key ${CHANNEL_KEY}`, type: 'invalid_request_error' } },
      })
      await relay(alice.relayKey)
      // Every route a user may read, with A's own ids.
      for (const operation of operations.filter((entry) => entry.method === 'GET')) {
        const id = operation.path.includes('/tokens/') ? alice.tokenId : (alice.ids.logs?.[0] ?? 1)
        await as(alice, 'GET', fill(operation.path, String(id)))
      }
      for (const path of ['/v1/models', `/v1/models/${MODEL}`, '/api/playground/models', '/api/pricing', '/api/status']) await as(alice, 'GET', path)
      const leaks = received
        .filter(
          (entry) =>
            entry.body.includes(CHANNEL_KEY) ||
            entry.body.includes(fake.url) ||
            entry.body.includes(CHANNEL_KEY.slice(0, 20)) ||
            entry.body.includes(CHANNEL_NAME),
        )
        .map((entry) => `${entry.where}: ${entry.body.slice(0, 200)}`)
      expect(received.length).toBeGreaterThan(20)
      expect(leaks).toEqual([])
    })

    test('secrets at rest: channel keys, payment and OAuth secrets and TOTP secrets sealed, passwords argon2id, token keys hashed', async () => {
      const setup = (await (await as(alice, 'POST', '/api/users/me/two-factor/setup')).json()) as { secret: string }
      const dump = async (table: string) => JSON.stringify(await rows(gateway, `select * from ${table}`))
      const everything = (await Promise.all(['users', 'tokens', 'channels', 'options', 'access_tokens', 'redemptions', 'topups'].map(dump))).join('\n')
      for (const secret of [CHANNEL_KEY, STRIPE_SECRET, EPAY_KEY, OAUTH_SECRET, setup.secret, alice.relayKey, bob.relayKey, alice.bearer, 'password-123'])
        expect(everything.includes(secret)).toBe(false)
      const hashes = await rows(gateway, 'select password_hash from users where password_hash is not null')
      expect(hashes.length).toBeGreaterThan(2)
      for (const row of hashes) expect(String(row.password_hash)).toStartWith('$argon2id$')
      const keyHashes = await rows(gateway, 'select key_hash from tokens')
      for (const row of keyHashes) expect(String(row.key_hash)).toMatch(/^[0-9a-f]{64}$/)
    })
  })
