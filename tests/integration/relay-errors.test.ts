import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { gzipSync } from 'node:zlib'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'

// Bad input gets the right status and an OpenAI-shaped error, and never costs anything.

const chat = (model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user', content: 'hi' }] })

for (const backend of testBackends) {
  describe(`relay errors (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let key: string
    let tokenId: number
    let userId: number

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend, { maxRequestBodyMb: 1 })
      await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini', 'unpriced-model'] })
      userId = await gateway.createUser({ username: 'errors-user', quota: 1_000_000 })
      const token = await gateway.createToken({ userId, quota: 100_000, models: ['gpt-4o-mini', 'unpriced-model'] })
      key = token.key
      tokenId = token.id
    })
    afterAll(async () => {
      const logs = await gateway.logs({ tokenId })
      // Whatever went wrong above, nothing was charged and no usage was logged.
      expect(logs.filter((entry) => entry.type === 'consume')).toEqual([])
      expect(await gateway.tokenBalance(tokenId)).toEqual({ remainQuota: 100_000, usedQuota: 0 })
      expect((await gateway.balance(userId)).quota).toBe(1_000_000)
      expect(fake.requests.length).toBe(0)
      await gateway.stop()
      await fake.stop()
    })

    async function post(body: BodyInit, headers: Record<string, string> = {}, path = '/v1/chat/completions') {
      const response = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body,
      })
      return {
        status: response.status,
        body: (await response.json()) as { error: { message: string; type: string; param: string | null; code: string } },
        headers: response.headers,
      }
    }

    test('malformed JSON → 400 invalid_json', async () => {
      const { status, body } = await post('{"model": "gpt-4o-mini", "messages": [')
      expect(status).toBe(400)
      expect(body.error.code).toBe('invalid_json')
      expect(body.error.type).toBe('invalid_request_error')
    })

    test('a JSON array is not a request', async () => {
      expect((await post('[1,2]')).body.error.code).toBe('invalid_json')
    })

    test.each([
      [{ messages: [{ role: 'user', content: 'hi' }] }, 'missing_required_parameter', 'model'],
      [{ model: 'gpt-4o-mini', messages: 'hi' }, 'invalid_type', 'messages'],
      [{ model: 'gpt-4o-mini', messages: [] }, 'invalid_request', 'messages'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'hi' }] }, 'invalid_type', 'messages[0].role'],
      [{ ...chat(), temperature: 'hot' }, 'invalid_type', 'temperature'],
      [{ ...chat(), max_tokens: 1.5 }, 'invalid_type', 'max_tokens'],
      [{ ...chat(), stream: 'yes' }, 'invalid_type', 'stream'],
      [{ ...chat(), n: 0 }, 'invalid_type', 'n'],
    ])('schema violation %j → 400 %s naming %s', async (request, code, param) => {
      const { status, body } = await post(JSON.stringify(request))
      expect(status).toBe(400)
      expect(body.error.code).toBe(code)
      expect(body.error.param).toBe(param)
      expect(body.error.message).toContain(`'${param}'`)
    })

    test('body over MAX_REQUEST_BODY_MB → 413', async () => {
      const huge = JSON.stringify({ ...chat(), messages: [{ role: 'user', content: 'x'.repeat(1_200_000) }] })
      const { status, body } = await post(huge)
      expect(status).toBe(413)
      expect(body.error.code).toBe('request_too_large')
    })

    test('chunked body over the limit (no content-length) → 413', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"'))
          if (sent++ > 40) controller.close()
          else controller.enqueue(chunk)
        },
      })
      const { status } = await post(stream as unknown as BodyInit)
      expect(status).toBe(413)
    })

    test('a gzip bomb is refused with 413 without being inflated', async () => {
      const inflated = JSON.stringify({ ...chat(), messages: [{ role: 'user', content: '0'.repeat(64 * 1024 * 1024) }] })
      const bomb = gzipSync(inflated)
      expect(bomb.byteLength).toBeLessThan(1024 * 1024)
      const { status, body } = await post(bomb, { 'content-encoding': 'gzip' })
      expect(status).toBe(413)
      expect(body.error.message).toContain('after decompression')
    })

    test('a small gzip body is accepted after decompression', async () => {
      const { status } = await post(gzipSync(JSON.stringify({ ...chat(), model: 'gpt-4o-mini', temperature: 9 })), { 'content-encoding': 'gzip' })
      expect(status).toBe(400)
    })

    test('an unknown content-encoding → 415', async () => {
      expect((await post(JSON.stringify(chat()), { 'content-encoding': 'zstd-9000' })).status).toBe(415)
    })

    test('corrupt gzip → 400', async () => {
      expect((await post('not gzip at all', { 'content-encoding': 'gzip' })).status).toBe(400)
    })

    test('wrong or missing key → 401 invalid_api_key', async () => {
      const wrong = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-not-a-real-key', 'content-type': 'application/json' },
        body: JSON.stringify(chat()),
      })
      expect(wrong.status).toBe(401)
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key')
      const missing = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chat()),
      })
      expect(missing.status).toBe(401)
    })

    test('a model the key may not use → 403 model_not_allowed', async () => {
      const { status, body } = await post(JSON.stringify(chat('gpt-4o')))
      expect(status).toBe(403)
      expect(body.error.code).toBe('model_not_allowed')
    })

    test('a model no channel serves → 404 model_not_found, as OpenAI answers', async () => {
      const unrestricted = await gateway.createToken({ userId, quota: 10 })
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${unrestricted.key}` },
        body: JSON.stringify(chat('no-such-model')),
      })
      expect(response.status).toBe(404)
      const body = (await response.json()) as { error: { code: string; type: string; param: string; message: string } }
      expect(body.error).toMatchObject({ code: 'model_not_found', type: 'invalid_request_error', param: 'model' })
      expect(body.error.message).toContain('no-such-model')
    })

    test('a known model whose every channel is disabled → 503 no_available_channel', async () => {
      const channelId = await gateway.createChannel({ name: 'resting', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['resting-model'] })
      await gateway.admin('PATCH', `/api/channels/${channelId}`, { status: 'manually-disabled' })
      const unrestricted = await gateway.createToken({ userId, quota: 10 })
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${unrestricted.key}` },
        body: JSON.stringify(chat('resting-model')),
      })
      expect(response.status).toBe(503)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('no_available_channel')
    })

    test("unknown relay paths answer JSON in their family's error shape, not plain text", async () => {
      const openai = await fetch(`${gateway.url}/v1/chat/completionz`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: '{}' })
      expect(openai.status).toBe(404)
      expect(openai.headers.get('content-type')).toContain('application/json')
      expect(((await openai.json()) as { error: { message: string; type: string } }).error).toMatchObject({
        type: 'invalid_request_error',
        message: 'Invalid URL (POST /v1/chat/completionz)',
      })
      const gemini = await fetch(`${gateway.url}/v1beta/nothing/here`, { headers: { 'x-goog-api-key': key } })
      expect(gemini.status).toBe(404)
      expect(((await gemini.json()) as { error: { code: number; status: string } }).error).toMatchObject({ code: 404, status: 'NOT_FOUND' })
    })

    test('a model without a price → 403 model_price_not_configured', async () => {
      const { status, body } = await post(JSON.stringify(chat('unpriced-model')))
      expect(status).toBe(403)
      expect(body.error.code).toBe('model_price_not_configured')
    })

    test('an expired or disabled key → 401', async () => {
      const expired = await gateway.createToken({ userId, quota: 1000, expiresAt: '2020-01-01T00:00:00Z' })
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${expired.key}` },
        body: JSON.stringify(chat()),
      })
      expect(response.status).toBe(401)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('token_expired')
      const disabled = await gateway.createToken({ userId, quota: 1000 })
      await gateway.admin('PATCH', `/api/tokens/${disabled.id}`, { status: 'disabled' })
      const refused = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${disabled.key}` },
        body: JSON.stringify(chat()),
      })
      expect(refused.status).toBe(401)
    })

    test('errors carry a request id too', async () => {
      const { headers } = await post('{')
      expect(headers.get('x-request-id')).toMatch(/^req_/)
    })
  })
}
