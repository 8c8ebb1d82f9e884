import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'

// The dashboard's chat playground: the relay pipeline called as the signed-in user, billed to the
// account with no relay key, answering exactly what /v1/chat/completions answers.

interface Failure {
  error: { code: string; message: string; field?: string }
}
interface LogRow {
  type: string
  userId: number
  tokenId: number | null
  tokenName: string | null
  quota: number
  isStream: boolean
  group: string
  details: Record<string, unknown>
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me about Paris.' }], max_tokens: 100 }

for (const backend of testBackends) {
  describe(`playground (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let userId: number
    let bearer: string
    let cookie: string
    let csrf: string
    let relayKey: string

    async function signIn(username: string, session = false): Promise<Response> {
      return fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'password-123', session }),
      })
    }
    const playground = (body: unknown, headers: Record<string, string>) =>
      fetch(`${gateway.url}/api/playground/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    const relay = (body: unknown) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    async function playgroundLogs(): Promise<LogRow[]> {
      return (await gateway.logs()).filter((entry) => entry.userId === userId && entry.tokenName === 'playground') as unknown as LogRow[]
    }

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
      await gateway.createChannel({
        name: 'main',
        type: 'openai',
        key: 'sk-up',
        baseUrl: fake.url,
        models: ['gpt-4o-mini', 'o4-mini-high', 'unpriced-house-model', 'text-embedding-3-small'],
      })
      userId = await gateway.createUser({ username: 'player', quota: 10_000_000 })
      await gateway.createUser({ username: 'broke', quota: 0 })
      await gateway.createUser({ username: 'vip-player', quota: 10_000_000, group: 'vip' })
      bearer = ((await (await signIn('player')).json()) as { accessToken: string }).accessToken
      const session = await signIn('player', true)
      const cookies = session.headers.getSetCookie().map((value) => value.split(';')[0]!)
      cookie = cookies.join('; ')
      csrf = cookies.find((value) => value.startsWith('hanggent_csrf='))!.slice('hanggent_csrf='.length)
      relayKey = (await gateway.createToken({ name: 'reference key', quota: 10_000_000 })).key
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })
    beforeEach(() => {
      fake.reset()
    })

    test('a non-stream call answers what /v1 answers and moves the balance by the logged cost', async () => {
      const before = await gateway.balance(userId)
      const response = await playground(chat, { authorization: `Bearer ${bearer}` })
      expect(response.status).toBe(200)
      const answer = await response.json()
      expect(answer).toEqual(await (await relay(chat)).json())
      const [entry] = await playgroundLogs()
      expect(entry).toMatchObject({ type: 'consume', tokenId: null, tokenName: 'playground', isStream: false, group: 'default' })
      expect(entry!.details.via).toBe('playground')
      expect(entry!.quota).toBeGreaterThan(0)
      const after = await gateway.balance(userId)
      expect(before.quota - after.quota).toBe(entry!.quota)
      expect(after.usedQuota - before.usedQuota).toBe(entry!.quota)
    })

    test('a stream is byte for byte the /v1 stream, from a session cookie with its CSRF header, and is billed', async () => {
      const before = await gateway.balance(userId)
      const body = { ...chat, stream: true }
      const response = await playground(body, { cookie, 'x-csrf-token': csrf })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      const streamed = await response.text()
      expect(streamed).toContain('data: [DONE]')
      expect(streamed).toBe(await (await relay(body)).text())
      const streams = (await playgroundLogs()).filter((entry) => entry.isStream)
      expect(streams.length).toBe(1)
      expect(before.quota - (await gateway.balance(userId)).quota).toBe(streams[0]!.quota)
    })

    test('reasoning suffixes work as on /v1: -high becomes reasoning_effort and leaves the model name', async () => {
      expect((await playground({ ...chat, model: 'o4-mini-high' }, { authorization: `Bearer ${bearer}` })).status).toBe(200)
      expect(fake.requests.at(-1)?.body).toMatchObject({ model: 'o4-mini', reasoning_effort: 'high' })
    })

    test('the relay validation and routing apply; errors come in the admin shape', async () => {
      const missing = await playground({ model: 'gpt-4o-mini' }, { authorization: `Bearer ${bearer}` })
      expect(missing.status).toBe(400)
      expect(((await missing.json()) as Failure).error).toMatchObject({ code: 'missing_required_parameter', field: 'messages' })
      const unknownModel = await playground({ ...chat, model: 'not-served-anywhere' }, { authorization: `Bearer ${bearer}` })
      expect(unknownModel.status).toBe(404)
      expect(((await unknownModel.json()) as Failure).error).toMatchObject({ code: 'model_not_found', field: 'model' })
      const vip = ((await (await signIn('vip-player')).json()) as { accessToken: string }).accessToken
      // Served to another group only: to this caller the model does not exist.
      const otherGroup = await playground(chat, { authorization: `Bearer ${vip}` })
      expect(otherGroup.status).toBe(404)
      expect(((await otherGroup.json()) as Failure).error).toMatchObject({ code: 'model_not_found' })
      expect(fake.requests.length).toBe(0)
    })

    test('a user without quota gets 403 insufficient_quota and nothing reaches the upstream', async () => {
      const broke = ((await (await signIn('broke')).json()) as { accessToken: string }).accessToken
      const response = await playground(chat, { authorization: `Bearer ${broke}` })
      expect(response.status).toBe(403)
      expect(((await response.json()) as Failure).error.code).toBe('insufficient_quota')
      expect(fake.requests.length).toBe(0)
    })

    test('anonymous callers get 401, cookie writes without the CSRF header 403, read-only tokens 403', async () => {
      const anonymous = await playground(chat, {})
      expect(anonymous.status).toBe(401)
      expect(((await anonymous.json()) as Failure).error.code).toBe('unauthorized')
      const noCsrf = await playground(chat, { cookie })
      expect(noCsrf.status).toBe(403)
      expect(((await noCsrf.json()) as Failure).error.code).toBe('forbidden')
      const readOnly = await fetch(`${gateway.url}/api/users/me/access-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'reader', scope: 'read' }),
      })
      const reader = ((await readOnly.json()) as { token: string }).token
      expect((await playground(chat, { authorization: `Bearer ${reader}` })).status).toBe(403)
      expect(fake.requests.length).toBe(0)
    })

    test("the model list holds what the user's group can chat with: served, priced, and no embedding model", async () => {
      const list = await fetch(`${gateway.url}/api/playground/models`, { headers: { authorization: `Bearer ${bearer}` } })
      expect(await list.json()).toEqual({ group: 'default', items: ['gpt-4o-mini', 'o4-mini-high'] })
      const vip = ((await (await signIn('vip-player')).json()) as { accessToken: string }).accessToken
      expect(await (await fetch(`${gateway.url}/api/playground/models`, { headers: { authorization: `Bearer ${vip}` } })).json()).toEqual({
        group: 'vip',
        items: [],
      })
      expect((await fetch(`${gateway.url}/api/playground/models`)).status).toBe(401)
    })
  })
}
