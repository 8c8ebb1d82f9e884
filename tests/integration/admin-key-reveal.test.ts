import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { logs } from '../../core/db/schema.ts'
import { totpCode } from '../../core/security/totp.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// The audited key reveal is the only route that returns a channel key: admins only, after their
// password (and two-factor code), never cached, written to the audit log without the key.

const KEY = 'sk-proj-RevealMeOnly0123456789abcdefghijklmn'
const SECOND_KEY = 'sk-proj-SecondHiddenKey9876543210zyxwvutsrq'
const CREATED_KEY = 'sk-proj-CreatedThroughTheApi000111222333444'
const SECRETS = [KEY, SECOND_KEY, CREATED_KEY, 'RevealMeOnly', 'SecondHiddenKey', 'CreatedThroughTheApi']

interface Answer<T> {
  status: number
  headers: Headers
  text: string
  body: T
}

for (const backend of testBackends) {
  describe(`channel key reveal (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let channelId: number
    const bearer: Record<string, string> = {}

    async function send<T>(token: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : undefined) as T }
    }
    const reveal = (token: string, body: Record<string, unknown>, id = channelId) =>
      send<{ id?: number; keys?: string[]; error?: AdminError['error'] }>(token, 'POST', `/api/channels/${id}/keys/reveal`, body)

    async function signIn(username: string, code?: string): Promise<string> {
      const response = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'password-123', code }),
      })
      return ((await response.json()) as { accessToken: string }).accessToken
    }

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      channelId = await gateway.createChannel({ name: 'secret', type: 'openai', key: `${KEY}\n${SECOND_KEY}`, baseUrl: fake.url, models: ['gpt-4o-mini'] })
      await gateway.createUser({ username: 'plain', quota: 0 })
      for (const name of ['keeper', 'guesser', 'careful'])
        await gateway.admin('POST', '/api/users', { username: name, password: 'password-123', role: 'admin' })
      bearer.root = gateway.context.config.rootAccessToken!
      bearer.plain = await signIn('plain')
      bearer.keeper = await signIn('keeper')
      bearer.guesser = await signIn('guesser')
      bearer.careful = await signIn('careful')
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })

    test('an admin with the right password gets the keys, marked no-store, and an audit row without them', async () => {
      const answer = await reveal(bearer.keeper!, { password: 'password-123' })
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({ id: channelId, keys: [KEY, SECOND_KEY] })
      expect(answer.headers.get('cache-control')).toBe('no-store')
      const asRoot = await reveal(bearer.root!, { password: 'root-password-123' })
      expect(asRoot.body.keys).toEqual([KEY, SECOND_KEY])
      await gateway.context.logWriter.flush()
      const rows = await gateway.context.database.db.select().from(logs).where(eq(logs.type, 'manage'))
      const audit = rows.filter((row) => row.content?.includes('keys revealed'))
      expect(audit.map((row) => [row.username, row.channelId])).toEqual([
        ['keeper', channelId],
        ['root', channelId],
      ])
      expect(audit[0]!.content).toBe(`channel ${channelId} "secret" keys revealed to keeper`)
      for (const row of rows) for (const secret of SECRETS) expect(JSON.stringify(row)).not.toContain(secret)
    })

    test('a wrong or missing password is refused; plain users and strangers never get that far', async () => {
      const wrong = await reveal(bearer.keeper!, { password: 'not-my-password' })
      expect(wrong.status).toBe(403)
      expect(wrong.body.error).toMatchObject({ code: 'forbidden', field: 'password' })
      expect(wrong.text).not.toContain(KEY)
      expect((await reveal(bearer.keeper!, {})).status).toBe(400)
      expect((await reveal(bearer.plain!, { password: 'password-123' })).status).toBe(403)
      expect(
        (
          await fetch(`${gateway.url}/api/channels/${channelId}/keys/reveal`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"password":"x"}',
          })
        ).status,
      ).toBe(401)
      expect((await reveal(bearer.keeper!, { password: 'password-123' }, 999_999)).status).toBe(404)
    })

    test('five wrong passwords lock reveals for the account, even with the right password', async () => {
      const statuses: number[] = []
      for (let attempt = 0; attempt < 5; attempt += 1) statuses.push((await reveal(bearer.guesser!, { password: `guess-${attempt}` })).status)
      expect(statuses).toEqual([403, 403, 403, 403, 403])
      const locked = await reveal(bearer.guesser!, { password: 'password-123' })
      expect(locked.status).toBe(429)
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(locked.text).not.toContain(KEY)
      // Another admin is not affected.
      expect((await reveal(bearer.keeper!, { password: 'password-123' })).status).toBe(200)
    })

    test('with two-factor sign-in on, a current code is required as well', async () => {
      const setup = await send<{ secret: string }>(bearer.careful!, 'POST', '/api/users/me/two-factor/setup', {})
      expect((await send(bearer.careful!, 'POST', '/api/users/me/two-factor/enable', { code: totpCode(setup.body.secret, new Date()) })).status).toBe(200)
      const noCode = await reveal(bearer.careful!, { password: 'password-123' })
      expect(noCode.status).toBe(403)
      expect(noCode.body.error).toMatchObject({ code: 'totp_required', field: 'code' })
      const badCode = await reveal(bearer.careful!, { password: 'password-123', code: '000000' })
      expect(badCode.body.error).toMatchObject({ code: 'forbidden', field: 'code' })
      const good = await reveal(bearer.careful!, { password: 'password-123', code: totpCode(setup.body.secret, new Date(Date.now() + 30_000)) })
      expect(good.status).toBe(200)
      expect(good.body.keys).toEqual([KEY, SECOND_KEY])
    })

    test('no other channel route ever returns a key', async () => {
      const spec = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> }
      const operations = Object.entries(spec.paths)
        .filter(([path]) => path.startsWith('/api/channel'))
        .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), id: operation.operationId })))
        .filter((operation) => operation.id !== 'revealChannelKeys')
      // A body per operation: a new channel route must be added here, so it is checked too.
      const bodies: Record<string, unknown> = {
        createChannel: { name: 'created', type: 'openai', key: CREATED_KEY, baseUrl: fake.url, models: ['gpt-4o-mini'] },
        listChannels: undefined,
        getChannel: undefined,
        updateChannel: { name: 'secret', weight: 2 },
        deleteChannel: undefined,
        testChannel: {},
        batchChannels: { action: 'enable', ids: [channelId] },
        listChannelTags: undefined,
        listChannelTypes: undefined,
        listChannelUpstreamModels: undefined,
        probeUpstreamModels: { type: 'openai', baseUrl: fake.url, key: KEY },
        refreshChannelBalances: undefined,
        refreshChannelBalance: undefined,
      }
      // Statuses other than success that an operation answers here: no balance reader knows the fake's host, so the error itself is checked for keys.
      const expectedStatus: Record<string, number> = { refreshChannelBalance: 501 }
      expect(operations.map((operation) => operation.id).filter((id) => !(id in bodies))).toEqual([])
      let createdId = 0
      const answers: Array<Answer<unknown>> = []
      // Deleting comes last, and deletes the channel the create made.
      for (const operation of operations.sort((a, b) => Number(a.id === 'deleteChannel') - Number(b.id === 'deleteChannel'))) {
        const id = operation.id === 'deleteChannel' ? createdId : channelId
        const answer = await send<{ id?: number }>(bearer.root!, operation.method, operation.path.replace('{id}', String(id)), bodies[operation.id])
        if (operation.id === 'createChannel') createdId = answer.body.id ?? 0
        const ok = expectedStatus[operation.id] === undefined ? answer.status < 300 : answer.status === expectedStatus[operation.id]
        expect({ operation: operation.id, ok }).toEqual({ operation: operation.id, ok: true })
        answers.push(answer)
      }
      expect(answers.length).toBe(Object.keys(bodies).length)
      const listed = await send(bearer.root!, 'GET', '/api/channels?pageSize=100')
      for (const answer of [...answers, listed]) for (const secret of SECRETS) expect(answer.text).not.toContain(secret)
    })
  })
}
