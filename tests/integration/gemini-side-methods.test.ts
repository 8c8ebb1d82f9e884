import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ApiError, GoogleGenAI } from '@google/genai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini.ts'

// Gemini's models.get, countTokens and embeddings with the official @google/genai SDK: one model in
// Gemini's shape (404 in Gemini's error shape for a model the key may not use), prompt token counts made
// by the gateway (never sent upstream, never billed), also from a `generateContentRequest`, and
// embedContent / batchEmbedContents relayed to the Gemini channel, billed per input token.

let gateway: TestGateway
let upstream: FakeGemini
let userId: number
let client: GoogleGenAI
/** The same key on the v1beta paths (`/v1beta/models/{model}`), as Google's own endpoint is called. */
let betaClient: GoogleGenAI
let key: string
let embedKey: string
let embedClient: GoogleGenAI

beforeAll(async () => {
  upstream = await startFakeGemini()
  gateway = await startGateway()
  await gateway.createChannel({
    name: 'gemini',
    type: 'gemini',
    key: 'gemini-upstream',
    baseUrl: upstream.url,
    models: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-embedding-001'],
  })
  userId = await gateway.createUser({ username: 'gemini-side', quota: 1_000_000 })
  key = (await gateway.createToken({ userId, unlimited: true, models: ['gemini-2.5-flash'] })).key
  client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway.url } })
  betaClient = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway.url, apiVersion: 'v1beta' } })
  embedKey = (await gateway.createToken({ userId, unlimited: true, models: ['gemini-embedding-001'] })).key
  embedClient = new GoogleGenAI({ apiKey: embedKey, httpOptions: { baseUrl: gateway.url, apiVersion: 'v1beta' } })
}, 60_000)
afterAll(async () => {
  await gateway.stop()
  await upstream.stop()
})

describe('models.get', () => {
  test('a model the key may use, in Gemini’s model shape', async () => {
    for (const sdk of [client, betaClient]) {
      const model = await sdk.models.get({ model: 'gemini-2.5-flash' })
      expect(model).toMatchObject({ name: 'models/gemini-2.5-flash', supportedActions: ['generateContent', 'countTokens'] })
    }
  })

  test('a model the key may not use, or no channel serves, is a 404 in Gemini’s error shape', async () => {
    for (const [sdk, name] of [
      [client, 'gemini-2.5-pro'],
      [betaClient, 'gemini-2.5-pro'],
      [betaClient, 'gemini-0-unknown'],
    ] as const) {
      const error = await sdk.models.get({ model: name }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect(error).toBeInstanceOf(ApiError)
      expect((error as ApiError).status).toBe(404)
      expect(JSON.parse((error as ApiError).message)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } })
    }
  })
})

describe('countTokens', () => {
  test('counted by the gateway: more text, more tokens; nothing upstream, nothing charged', async () => {
    const before = await gateway.balance(userId)
    const requestsBefore = upstream.requests.length
    const short = await betaClient.models.countTokens({ model: 'gemini-2.5-flash', contents: 'Hello' })
    const long = await client.models.countTokens({
      model: 'gemini-2.5-flash',
      contents: 'Explain photosynthesis to a ten year old, step by step, with an example from a garden and a short quiz.',
    })
    expect(short.totalTokens).toBeGreaterThan(0)
    expect(long.totalTokens).toBeGreaterThan((short.totalTokens ?? 0) + 15)
    expect(upstream.requests.length).toBe(requestsBefore)
    expect(await gateway.balance(userId)).toEqual(before)
  })

  test('a generateContentRequest body counts its contents and system instruction', async () => {
    const call = (body: unknown) =>
      fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:countTokens`, {
        method: 'POST',
        headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { totalTokens?: number } }))
    const contents = [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }]
    const plain = await call({ contents })
    const wrapped = await call({
      generateContentRequest: {
        model: 'models/gemini-2.5-flash',
        contents,
        systemInstruction: { parts: [{ text: 'You are a geography teacher who answers in full sentences.' }] },
      },
    })
    expect(plain.status).toBe(200)
    expect(wrapped.status).toBe(200)
    expect(wrapped.body.totalTokens).toBeGreaterThan((plain.body.totalTokens ?? 0) + 5)
    const empty = await call({})
    expect(empty.status).toBe(400)
    expect(empty.body).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
  })
})

/** gemini-embedding-001's list price: $0.15 per 1M input tokens, i.e. 0.075 quota units per token. */
const UNITS_PER_EMBED_TOKEN = (0.15 * 500_000) / 1_000_000

/** The newest usage log row, once the call settled. */
async function lastUsage(): Promise<Record<string, unknown> | undefined> {
  return (await gateway.logs({ type: 'consume' })).find((row) => row.model === 'gemini-embedding-001')
}

describe('embeddings', () => {
  test('models.embedContent (the SDK sends batchEmbedContents): one vector per text from the Gemini channel, billed per input token', async () => {
    const before = await gateway.balance(userId)
    const response = await embedClient.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['Hello world', 'The quick brown fox jumps over the lazy dog'],
    })
    expect(response.embeddings?.map((embedding) => embedding.values)).toEqual([
      [0.11, 0.072, 0.5, -0.25],
      [0.43, 0.084, 0.5, -0.25],
    ])
    const sent = upstream.requests.at(-1)
    expect(sent?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents')
    expect(sent?.body).toMatchObject({ requests: [{ model: 'models/gemini-embedding-001' }, { model: 'models/gemini-embedding-001' }] })
    const log = await lastUsage()
    const promptTokens = Number(log?.promptTokens)
    expect(promptTokens).toBeGreaterThan(10)
    expect(log?.completionTokens).toBe(0)
    const charged = before.quota - (await gateway.balance(userId)).quota
    expect(charged).toBe(Math.max(1, Math.round(promptTokens * UNITS_PER_EMBED_TOKEN)))
  })

  test(':embedContent with one content, through plain HTTP on v1beta', async () => {
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': embedKey, 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'Hello world' }] } }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ embedding: { values: [0.11, 0.072, 0.5, -0.25] } })
    expect(upstream.requests.at(-1)?.path).toBe('/v1beta/models/gemini-embedding-001:embedContent')
  })

  test('a body with neither content nor requests is a 400 in Gemini’s error shape, and nothing is sent upstream', async () => {
    const before = upstream.requests.length
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': embedKey, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello' }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
    expect(upstream.requests.length).toBe(before)
  })
})

describe('route check, then the body, then the reads', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${gateway.url}/v1beta/models/${path}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  test('an unserved method is a 501 whatever the body holds (the route is checked before the schema)', async () => {
    const response = await post('gemini-2.5-flash:predictLongRunning', { contents: 'not a list' })
    expect(response.status).toBe(501)
    expect(await response.json()).toMatchObject({ error: { code: 501 } })
  })

  test('countTokens refuses a prompt generateContent would refuse, instead of counting it', async () => {
    const before = upstream.requests.length
    const response = await post('gemini-2.5-flash:countTokens', { contents: [{ role: 'user', parts: 'Hello' }] })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
    expect(upstream.requests.length).toBe(before)
  })
})
