import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testConfig } from '../support/context.ts'
import { startFakeParrot, type FakeParrot } from '../support/fake-parrot.ts'

// The example plugin examples/plugins/parrot, loaded only through PLUGINS (a path from the working
// directory), as a third-party author ships it: an upstream-only provider whose dialect has no routes
// and no client side (issue 20 item 5), and a rerank-only model the gateway must neither send chat
// calls to nor list to chat clients (item 3). The fake upstream speaks Parrot's own wire format.

describe('an upstream-only plugin loaded through PLUGINS', () => {
  let gateway: TestGateway
  let parrot: FakeParrot
  let key: string
  let userId: number
  let client: OpenAI

  let channelId: number

  beforeAll(async () => {
    parrot = startFakeParrot()
    gateway = await startGateway({}, { plugins: testConfig({}, { PLUGINS: './examples/plugins/parrot' }).plugins })
    channelId = await gateway.createChannel({
      name: 'parrot',
      type: 'parrot',
      key: 'parrot-secret',
      baseUrl: parrot.url,
      models: ['parrot-chat-1', 'parrot-rerank-1', 'parrot-house-model'],
      balanceSource: 'parrot-credit',
    })
    // Self-use mode prices the model the plugin does not know (free); the plugin's own models keep their list prices.
    await gateway.admin('PATCH', '/api/options', { selfUseMode: true })
    userId = await gateway.createUser({ username: 'bird-watcher', quota: 50_000_000 })
    key = (await gateway.createToken({ name: 'parrot', userId, unlimited: true })).key
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    parrot.stop()
  })
  beforeEach(() => {
    parrot.calls.length = 0
  })

  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const claudeHeaders = () => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' })

  test('OpenAI and Claude clients reach the route-less dialect through the hub, streamed or not, billed from its meter', async () => {
    const before = await gateway.balance(userId)
    const completion = await client.chat.completions.create({
      model: 'parrot-chat-1',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'hello there' },
      ],
    })
    expect(completion.choices[0]?.message.content).toBe('Polly says: hello there')
    expect(completion.model).toBe('parrot-chat-1')
    expect(completion.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4 })
    expect(parrot.calls[0]).toEqual({
      path: '/v1/generate',
      key: 'parrot-secret',
      body: {
        model: 'parrot-chat-1',
        turns: [
          { speaker: 'system', text: 'Be brief' },
          { speaker: 'user', text: 'hello there' },
        ],
      },
    })

    const stream = await client.chat.completions.create({ model: 'parrot-chat-1', messages: [{ role: 'user', content: 'pretty bird' }], stream: true })
    let streamed = ''
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? ''
    expect(streamed).toBe('Polly says: pretty bird')
    expect(parrot.calls[1]?.body.stream).toBe(true)

    const claude = await post('/v1/messages', { model: 'parrot-chat-1', max_tokens: 50, messages: [{ role: 'user', content: 'cracker' }] }, claudeHeaders())
    expect(claude.status).toBe(200)
    expect(((await claude.json()) as { content: Array<{ text: string }> }).content[0]?.text).toBe('Polly says: cracker')
    expect(parrot.calls[2]?.body.max_words).toBe(50)

    // 7 words heard at $1/M and 4 said at $2/M, three times: billed from Parrot's meter.
    const after = await gateway.balance(userId)
    expect(after.usedQuota - before.usedQuota).toBeGreaterThan(0)
    const rows = (await gateway.logs({ type: 'consume' })).filter((row) => row.model === 'parrot-chat-1')
    expect(rows.map((row) => [row.promptTokens, row.completionTokens])).toEqual([
      [7, 4],
      [7, 4],
      [7, 4],
    ])
  })

  test("a chat call to a rerank-only model is refused in the client's dialect, never forwarded or billed", async () => {
    const before = await gateway.balance(userId)
    const openai = await post(
      '/v1/chat/completions',
      { model: 'parrot-rerank-1', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    )
    expect(openai.status).toBe(404)
    const openaiBody = (await openai.json()) as { error: { type: string; code: string; param: string; message: string } }
    expect(openaiBody.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_supported', param: 'model' })
    expect(openaiBody.error.message).toContain('does not support chat')
    expect(openaiBody.error.message).toContain('it serves rerank')

    const claude = await post('/v1/messages', { model: 'parrot-rerank-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, claudeHeaders())
    expect(claude.status).toBe(404)
    expect(await claude.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })

    const gemini = await post(
      '/v1beta/models/parrot-rerank-1:generateContent',
      { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
      { 'x-goog-api-key': key },
    )
    expect(gemini.status).toBe(404)
    expect(await gemini.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } })

    expect(parrot.calls).toEqual([])
    expect((await gateway.balance(userId)).usedQuota).toBe(before.usedQuota)

    // A model the plugins know nothing about has no capability data: it goes upstream as before.
    const unknown = await client.chat.completions.create({ model: 'parrot-house-model', messages: [{ role: 'user', content: 'hi' }] })
    expect(unknown.choices[0]?.message.content).toBe('Polly says: hi')
    expect(parrot.calls.map((call) => call.body.model)).toEqual(['parrot-house-model'])
  })

  test("the plugin's balance reader fills the channel's balance, read with the channel's key, which never comes back", async () => {
    const response = await gateway.adminResponse('POST', `/api/channels/${channelId}/balance/refresh`)
    const text = await response.text()
    expect(response.status).toBe(200)
    expect(text).not.toContain('parrot-secret')
    expect((JSON.parse(text) as { balance: { reader: string; amount: number; currency: string; error: string | null } }).balance).toMatchObject({
      reader: 'parrot-credit',
      amount: 42.5,
      currency: 'EUR',
      error: null,
    })
    expect(parrot.calls.map((call) => [call.path, call.key])).toEqual([['/v1/account', 'parrot-secret']])
  })

  test('model lists show each client only the models it can call', async () => {
    const openaiList = (await (await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      data: Array<{ id: string }>
    }
    expect(openaiList.data.map((model) => model.id).sort()).toEqual(['parrot-chat-1', 'parrot-house-model'])
    expect((await fetch(`${gateway.url}/v1/models/parrot-rerank-1`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404)
    expect((await fetch(`${gateway.url}/v1/models/parrot-chat-1`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)

    const claudeList = (await (await fetch(`${gateway.url}/v1/models`, { headers: claudeHeaders() })).json()) as { data: Array<{ id: string }> }
    expect(claudeList.data.map((model) => model.id).sort()).toEqual(['parrot-chat-1', 'parrot-house-model'])
    const geminiList = (await (await fetch(`${gateway.url}/v1beta/models`, { headers: { 'x-goog-api-key': key } })).json()) as {
      models: Array<{ name: string }>
    }
    expect(geminiList.models.map((model) => model.name).sort()).toEqual(['models/parrot-chat-1', 'models/parrot-house-model'])
  })
})
