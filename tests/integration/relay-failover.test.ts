import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { sseEventsOf } from '../support/sse-text.ts'
import { startFakeOpenAI, type FakeOpenAI, type FakeScenario } from '../support/fake-openai.ts'

// Retryable failures move to the next channel before any byte reached the client.

describe('failover between channels', () => {
  let gateway: TestGateway
  let primary: FakeOpenAI
  let backup: FakeOpenAI
  let key: string
  let tokenId: number
  let primaryId: number

  beforeAll(async () => {
    primary = await startFakeOpenAI()
    backup = await startFakeOpenAI()
    gateway = await startGateway({}, { streamingTimeoutSeconds: 1 })
    primaryId = await gateway.createChannel({ name: 'primary', type: 'openai', key: 'sk-a', baseUrl: primary.url, models: ['gpt-4o-mini'], priority: 10 })
    await gateway.createChannel({ name: 'backup', type: 'openai', key: 'sk-b', baseUrl: backup.url, models: ['gpt-4o-mini'], priority: 0 })
    const token = await gateway.createToken({ name: 'failover', quota: 10_000_000 })
    key = token.key
    tokenId = token.id
  })
  afterAll(async () => {
    await gateway.stop()
    await primary.stop()
    await backup.stop()
  })
  beforeEach(async () => {
    primary.reset()
    backup.reset()
    // A revoked key takes the primary out of rotation (channel health); each test starts with it back in.
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { status: 'enabled' })
  })

  const call = () =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })

  test('the higher priority tier is used while it works', async () => {
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 0])
  })

  test.each([
    ['a 500', { kind: 'status' as const, status: 500 }],
    ['a 429', { kind: 'status' as const, status: 429 }],
    ['a revoked key (401)', { kind: 'status' as const, status: 401 }],
  ])('%s on the primary is retried on the backup', async (_name, scenario) => {
    primary.queue(scenario)
    const response = await call()
    expect(response.status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
  })

  test('the primary whose only key was revoked is disabled and skipped until re-enabled', async () => {
    primary.queue({ kind: 'status', status: 401 })
    expect((await call()).status).toBe(200)
    expect((await gateway.admin<{ status: string }>('GET', `/api/channels/${primaryId}`)).status).toBe('auto-disabled')
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 2])
  })

  test('an upstream that does not answer in time is abandoned for the backup', async () => {
    primary.queue({ kind: 'hang' })
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
  })

  test('a connection that breaks before any byte reached the client fails over', async () => {
    primary.queue({ kind: 'reset-mid-stream', afterChunks: 0 })
    const response = await call()
    expect(response.status).toBe(200)
    expect(((await response.json()) as { object: string }).object).toBe('chat.completion')
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
  })

  /** A streamed call through the OpenAI chat route (passthrough to these channels) or the Anthropic one (converted). */
  const streamCall = (route: 'openai' | 'anthropic', withKey = key) =>
    route === 'openai'
      ? fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${withKey}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        })
      : fetch(`${gateway.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': withKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        })

  /** The assistant text of a stream in either dialect, and whether it ended as the dialect ends a whole answer. */
  const readStream = async (response: Response) => {
    const data = sseEventsOf(await response.text()).map((event) => event.data)
    let text = ''
    for (const item of data.filter((entry) => entry.startsWith('{'))) {
      const event = JSON.parse(item) as { choices?: Array<{ delta?: { content?: string } }>; delta?: { text?: string } }
      text += event.choices?.[0]?.delta?.content ?? event.delta?.text ?? ''
    }
    return {
      text,
      complete: data.includes('[DONE]') || data.some((entry) => entry.includes('"message_stop"')),
      errors: data.filter((entry) => entry.includes('"error"')),
    }
  }

  for (const route of ['openai', 'anthropic'] as const) {
    const firstEventFaults: Array<[string, FakeScenario]> = [
      ['malformed', { kind: 'malformed-chunk', afterChunks: 0 }],
      [
        'an error the upstream reports',
        { kind: 'stream-gap', gapMs: 0, chunks: [{ error: { message: 'The server is overloaded', type: 'server_error', code: 'server_error' } }] },
      ],
    ]
    for (const [name, scenario] of firstEventFaults) {
      test(`a 200 stream whose first event is ${name} fails over (${route} client, ${route === 'openai' ? 'passthrough' : 'converted'}), charged as one answer`, async () => {
        const fresh = await gateway.createToken({ name: `first event ${route} ${name}`, quota: 10_000_000 })
        // The price of one clean streamed answer on this route, on a fresh key.
        const clean = await gateway.createToken({ name: `clean ${route} ${name}`, quota: 10_000_000 })
        expect((await readStream(await streamCall(route, clean.key))).complete).toBe(true)
        primary.reset()
        backup.reset()
        primary.queue(scenario)
        const response = await streamCall(route, fresh.key)
        expect(response.status).toBe(200)
        const outcome = await readStream(response)
        expect(outcome).toMatchObject({ complete: true, errors: [] })
        expect(outcome.text).toContain('Paris')
        expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
        await gateway.services.inflight.drain(5000)
        const used = (await gateway.tokenBalance(fresh.id)).usedQuota
        expect(used).toBeGreaterThan(0)
        expect(used).toBe((await gateway.tokenBalance(clean.id)).usedQuota)
      })
    }

    if (route === 'openai') {
      test('a passthrough first chunk with a vendor quirk the decoder would refuse (created as a string) still goes through, unchanged, as the watcher of the stream lets it', async () => {
        const quirky = {
          id: 'chatcmpl-q',
          object: 'chat.completion.chunk',
          created: '1700000000',
          model: 'gpt-4o-mini',
          choices: [{ index: 0, delta: { content: 'Hi' } }],
        }
        primary.queue({ kind: 'stream-gap', gapMs: 0, chunks: [quirky, { id: 'chatcmpl-q', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }] })
        const response = await streamCall('openai')
        const raw = await response.text()
        expect(raw).toContain('"created":"1700000000"')
        expect([primary.requests.length, backup.requests.length]).toEqual([1, 0])
      })
    }

    test(`when every channel's first event is malformed, the ${route} client gets a 502 in its own format and pays nothing`, async () => {
      const fresh = await gateway.createToken({ name: `first event fails everywhere ${route}`, quota: 10_000_000 })
      primary.queue({ kind: 'malformed-chunk', afterChunks: 0 })
      backup.queue({ kind: 'malformed-chunk', afterChunks: 0 })
      const response = await streamCall(route, fresh.key)
      expect(response.status).toBe(502)
      const body = (await response.json()) as { type?: string; error: { code?: string; type?: string } }
      if (route === 'openai') expect(body.error.code).toBe('bad_upstream_response')
      else expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } })
      await gateway.services.inflight.drain(5000)
      expect((await gateway.tokenBalance(fresh.id)).usedQuota).toBe(0)
      const rows = await gateway.logs({ tokenId: fresh.id })
      expect(rows.filter((row) => row.type === 'consume')).toEqual([])
      expect(rows.find((row) => row.type === 'error')).toMatchObject({ statusCode: 502, quota: 0 })
    })
  }

  /** A whole-answer call through the OpenAI chat route (passthrough to these channels) or the Anthropic one (converted). */
  const wholeCall = (route: 'openai' | 'anthropic', withKey: string) =>
    route === 'openai'
      ? fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${withKey}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        })
      : fetch(`${gateway.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': withKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
        })

  const overloaded = { error: { message: 'The server is overloaded', type: 'server_error', param: null, code: null } }

  for (const route of ['openai', 'anthropic'] as const) {
    test(`an error answered with HTTP 200 fails over (${route} client, whole answer and stream), and costs nothing`, async () => {
      for (const stream of [false, true]) {
        const fresh = await gateway.createToken({ name: `ok error ${route} ${stream}`, quota: 10_000_000 })
        primary.reset()
        backup.reset()
        primary.queue({ kind: 'status', status: 200, body: overloaded })
        const response = stream ? await streamCall(route, fresh.key) : await wholeCall(route, fresh.key)
        expect(response.status).toBe(200)
        const text = await response.text()
        expect(text).toContain('Paris')
        expect(text).not.toContain('overloaded')
        expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
      }
    })

    test(`alone, an error answered with HTTP 200 reaches the ${route} client with the status it names, in its format, and costs nothing`, async () => {
      const fresh = await gateway.createToken({ name: `ok error alone ${route}`, quota: 10_000_000 })
      const quota = { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
      primary.queue({ kind: 'status', status: 200, body: quota })
      backup.queue({ kind: 'status', status: 200, body: quota })
      const response = await wholeCall(route, fresh.key)
      expect(response.status).toBe(429)
      const body = (await response.json()) as { type?: string; error: { type?: string; message: string } }
      expect(body.error.message).toContain('Rate limit reached')
      if (route === 'anthropic') expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
      await gateway.services.inflight.drain(5000)
      expect((await gateway.tokenBalance(fresh.id)).usedQuota).toBe(0)
      expect((await gateway.logs({ tokenId: fresh.id })).filter((row) => row.type === 'consume')).toEqual([])
    })

    test(`a stream request the upstream answered whole (it ignored stream) reaches the ${route} client as a stream, billed as the answer`, async () => {
      const whole = await Bun.file('plugins/openai/__fixtures__/openai-chat-text.json').json()
      // What the answer costs asked for whole, on a fresh key: the stream must cost the same (the usage it reported).
      const reference = await gateway.createToken({ name: `whole reference ${route}`, quota: 10_000_000 })
      primary.queue({ kind: 'status', status: 200, body: whole })
      expect((await wholeCall(route, reference.key)).status).toBe(200)
      const fresh = await gateway.createToken({ name: `whole as stream ${route}`, quota: 10_000_000 })
      primary.reset()
      backup.reset()
      primary.queue({ kind: 'status', status: 200, body: whole })
      const response = await streamCall(route, fresh.key)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain('text/event-stream')
      const outcome = await readStream(response)
      expect(outcome).toMatchObject({ complete: true, errors: [] })
      expect(outcome.text).toBe(whole.choices[0].message.content)
      expect([primary.requests.length, backup.requests.length]).toEqual([1, 0])
      await gateway.services.inflight.drain(5000)
      const used = (await gateway.tokenBalance(fresh.id)).usedQuota
      expect(used).toBeGreaterThan(0)
      expect(used).toBe((await gateway.tokenBalance(reference.id)).usedQuota)
    })
  }

  test("a 400 is the client's problem and is not retried", async () => {
    primary.queue({ kind: 'status', status: 400 })
    expect((await call()).status).toBe(400)
    expect(backup.requests.length).toBe(0)
  })

  test('statusCodeMapping turns a 400 into a retryable 500', async () => {
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { statusCodeMapping: { '400': '500' } })
    primary.queue({ kind: 'status', status: 400 })
    expect((await call()).status).toBe(200)
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1])
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { statusCodeMapping: {} })
  })

  test('the retryable statuses are an option', async () => {
    await gateway.admin('PATCH', '/api/options', { retryableStatuses: '429' })
    primary.queue({ kind: 'status', status: 500 })
    expect((await call()).status).toBe(502)
    expect(backup.requests.length).toBe(0)
    await gateway.admin('PATCH', '/api/options', { retryableStatuses: '400,429,500-599' })
    primary.queue({ kind: 'status', status: 400 })
    expect((await call()).status).toBe(200)
    expect(backup.requests.length).toBe(1)
    const refused = await gateway.adminResponse('PATCH', '/api/options', { retryableStatuses: 'five hundred' })
    expect(refused.status).toBe(400)
    await gateway.admin('PATCH', '/api/options', { retryableStatuses: '401,403,429,500-503,505-523,525-599' })
  })

  test('when every channel fails the client gets a clear 502 and pays nothing', async () => {
    primary.queue({ kind: 'status', status: 503 })
    backup.queue({ kind: 'status', status: 500 })
    const before = await gateway.tokenBalance(tokenId)
    const response = await call()
    expect(await gateway.tokenBalance(tokenId)).toEqual(before)
    expect(response.status).toBe(502)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_error')
  })
})
