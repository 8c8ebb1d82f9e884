import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { startFakeGemini, type FakeGemini } from './fake-gemini.ts'
import { loadChunks, loadFixture } from './fixtures.ts'

// The fake Gemini upstream checked on its own with plain fetch, so gateway suites can trust what it says.

type Json = Record<string, unknown>

const fake: FakeGemini = await startFakeGemini({ keys: ['gemini-key-1'] })
afterAll(() => fake.stop())
beforeEach(() => fake.reset())

const request = { contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }] }
const tools = [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { location: { type: 'string' } } } }] }]

function generate(
  model: string,
  body: unknown,
  init: { stream?: boolean; sse?: boolean; key?: string | null; keyInQuery?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  const action = init.stream ? 'streamGenerateContent' : 'generateContent'
  const query = new URLSearchParams()
  if (init.stream && init.sse !== false) query.set('alt', 'sse')
  const key = init.key === undefined ? 'gemini-key-1' : init.key
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== null && init.keyInQuery) query.set('key', key)
  else if (key !== null) headers['x-goog-api-key'] = key
  const search = query.size > 0 ? `?${query}` : ''
  return fetch(`${fake.url}/v1beta/models/${model}:${action}${search}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  })
}

/** Splits an `alt=sse` body into its `data:` payloads, checking Google's CRLF framing on the way. */
function ssePayloads(text: string): string[] {
  expect(text.endsWith('\r\n\r\n')).toBe(true)
  return text
    .slice(0, -4)
    .split('\r\n\r\n')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true)
      return frame.slice('data: '.length)
    })
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await Bun.sleep(10)
}

describe('authentication', () => {
  test('no key gets Google 403; an unknown key gets the 400 API_KEY_INVALID body', async () => {
    const missing = await generate('gemini-2.5-flash', request, { key: null })
    expect(missing.status).toBe(403)
    expect(await missing.json()).toEqual(loadFixture('gemini', 'gemini-error-403.json'))
    const wrong = await generate('gemini-2.5-flash', request, { key: 'AIza-wrong' })
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toEqual(loadFixture('gemini', 'gemini-error-400-api-key.json'))
  })

  test('the key is accepted in x-goog-api-key or ?key=; without a key list any key is', async () => {
    expect((await generate('gemini-2.5-flash', request, { keyInQuery: true })).status).toBe(200)
    expect(fake.requests[0]?.query.key).toBe('gemini-key-1')
    const open = await startFakeGemini()
    try {
      const response = await fetch(`${open.url}/v1beta/models`, { headers: { 'x-goog-api-key': 'anything' } })
      expect(response.status).toBe(200)
    } finally {
      await open.stop()
    }
  })
})

describe('non-stream answers', () => {
  test('text fixture, with modelVersion echoing the model from the URL', async () => {
    const response = await generate('gemini-2.5-flash-preview-05-20', request)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8')
    expect(await response.json()).toEqual({ ...loadFixture('gemini', 'gemini-text.json'), modelVersion: 'gemini-2.5-flash-preview-05-20' })
  })

  test('function declarations get the function-call fixture; includeThoughts gets the thinking fixture', async () => {
    expect(await (await generate('gemini-2.5-flash', { ...request, tools })).json()).toEqual({
      ...loadFixture('gemini', 'gemini-function-call.json'),
      modelVersion: 'gemini-2.5-flash',
    })
    const thinking = { ...request, generationConfig: { thinkingConfig: { includeThoughts: true } } }
    expect(await (await generate('gemini-2.5-pro', thinking)).json()).toEqual({
      ...loadFixture('gemini', 'gemini-thinking.json'),
      modelVersion: 'gemini-2.5-pro',
    })
  })

  test('GET /v1beta/models lists models', async () => {
    const response = await fetch(`${fake.url}/v1beta/models?key=gemini-key-1`)
    expect(await response.json()).toEqual(loadFixture('gemini', 'gemini-models.json'))
  })

  test('unknown methods get 404, bodies that are not JSON or lack contents get 400, all in Google error shape', async () => {
    const unknown = await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:generateAnswer`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'gemini-key-1' },
      body: '{}',
    })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } })
    const broken = await generate('gemini-2.5-flash', '{"contents":')
    expect(broken.status).toBe(400)
    expect(await broken.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
    const empty = await generate('gemini-2.5-flash', { contents: [] })
    expect(await empty.json()).toEqual(loadFixture('gemini', 'gemini-error-400.json'))
  })
})

describe('streaming', () => {
  test('alt=sse: one CRLF-framed data event per fixture chunk, no end marker, model echoed', async () => {
    const response = await generate('gemini-2.5-flash', request, { stream: true })
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const chunks = ssePayloads(await response.text()).map((payload) => JSON.parse(payload) as Json)
    expect(chunks).toEqual(loadChunks('gemini', 'gemini-text.chunks.txt').map((chunk) => ({ ...chunk, modelVersion: 'gemini-2.5-flash' })))
    expect(fake.requests[0]).toMatchObject({ model: 'gemini-2.5-flash', action: 'streamGenerateContent', query: { alt: 'sse' } })
  })

  test('without alt=sse the stream is one JSON array, as Google sends it', async () => {
    const text = await (await generate('gemini-2.5-flash', request, { stream: true, sse: false })).text()
    expect(JSON.parse(text)).toEqual(loadChunks('gemini', 'gemini-text.chunks.txt').map((chunk) => ({ ...chunk, modelVersion: 'gemini-2.5-flash' })))
  })

  test('function-call and thinking streams', async () => {
    const call = ssePayloads(await (await generate('gemini-2.5-flash', { ...request, tools }, { stream: true })).text()).map(
      (payload) => JSON.parse(payload) as Json,
    )
    expect(call).toEqual(loadChunks('gemini', 'gemini-function-call.chunks.txt').map((chunk) => ({ ...chunk, modelVersion: 'gemini-2.5-flash' })))
    const thinking = { ...request, generationConfig: { thinkingConfig: { includeThoughts: true } } }
    const thoughts = ssePayloads(await (await generate('gemini-2.5-pro', thinking, { stream: true })).text())
    expect(thoughts).toHaveLength(loadChunks('gemini', 'gemini-thinking.chunks.txt').length)
    expect(thoughts[0]).toContain('"thought":true')
  })
})

describe('recording', () => {
  test('every request is kept with method, path, query, model, action, headers, raw and parsed body', async () => {
    const raw = JSON.stringify({ ...request, safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }] })
    await (await generate('gemini-2.0-flash', raw, { stream: true })).text()
    await generate('gemini-2.0-flash', request, { key: 'AIza-wrong' })
    expect(fake.requests).toHaveLength(2)
    const [first, second] = fake.requests
    expect(first).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent',
      query: { alt: 'sse' },
      model: 'gemini-2.0-flash',
      action: 'streamGenerateContent',
      rawBody: raw,
    })
    expect(first?.headers['x-goog-api-key']).toBe('gemini-key-1')
    expect(first?.body).toEqual(JSON.parse(raw))
    expect(second?.headers['x-goog-api-key']).toBe('AIza-wrong')
  })

  test('reset forgets requests, queued scenarios and the default scenario', async () => {
    await generate('gemini-2.5-flash', request)
    fake.setDefault({ kind: 'status', status: 500 })
    fake.queue({ kind: 'status', status: 429 })
    fake.reset()
    expect(fake.requests).toHaveLength(0)
    expect(fake.nextResponses).toHaveLength(0)
    expect((await generate('gemini-2.5-flash', request)).status).toBe(200)
  })
})

describe('scenarios', () => {
  test('queued scenarios answer one request each, in order, then the default applies; statuses use the recorded bodies', async () => {
    fake.setScenario({ kind: 'status', status: 500 })
    fake.queue(
      { kind: 'status', status: 429, headers: { 'retry-after': '38' } },
      { kind: 'fixture' },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 504 },
    )
    const first = await generate('gemini-2.5-flash', request)
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('38')
    expect(await first.json()).toEqual(loadFixture('gemini', 'gemini-error-429.json'))
    expect((await generate('gemini-2.5-flash', request)).status).toBe(200)
    expect(await (await generate('gemini-2.5-flash', request)).json()).toEqual(loadFixture('gemini', 'gemini-error-503.json'))
    expect(await (await generate('gemini-2.5-flash', request)).json()).toEqual({ error: { code: 504, message: 'HTTP 504', status: 'DEADLINE_EXCEEDED' } })
    const last = await generate('gemini-2.5-flash', request)
    expect(last.status).toBe(500)
    expect(await last.json()).toEqual(loadFixture('gemini', 'gemini-error-500.json'))
  })

  test('a named fixture answers regardless of the request; one without a chunk file streams as one chunk', async () => {
    fake.queue({ kind: 'fixture', name: 'gemini-safety-blocked' }, { kind: 'fixture', name: 'gemini-safety-blocked.json' })
    expect(await (await generate('gemini-2.0-flash', request)).json()).toMatchObject({ promptFeedback: { blockReason: 'SAFETY' } })
    const payloads = ssePayloads(await (await generate('gemini-2.0-flash', request, { stream: true })).text())
    expect(payloads).toHaveLength(1)
    expect(JSON.parse(payloads[0]!)).toMatchObject({ promptFeedback: { blockReason: 'SAFETY' }, modelVersion: 'gemini-2.0-flash' })
  })

  test('slow waits before answering; hang keeps the request open until the client gives up', async () => {
    fake.queue({ kind: 'slow', delayMs: 150 }, { kind: 'hang' })
    const started = performance.now()
    expect((await generate('gemini-2.5-flash', request)).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    const outcome = await generate('gemini-2.5-flash', request, { signal: AbortSignal.timeout(100) }).then(
      () => 'answered',
      (error: Error) => error.name,
    )
    expect(outcome).toBe('TimeoutError')
  })

  test('stream-gap delivers chunks one at a time, and a client that leaves is counted as an aborted stream', async () => {
    const chunks = [
      { candidates: [{ content: { parts: [{ text: 'one' }], role: 'model' }, index: 0 }] },
      { candidates: [{ content: { parts: [{ text: 'two' }], role: 'model' }, finishReason: 'STOP', index: 0 }] },
    ]
    fake.queue({ kind: 'stream-gap', gapMs: 200, chunks })
    const controller = new AbortController()
    const response = await generate('gemini-2.5-flash', request, { stream: true, signal: controller.signal })
    const reader = response.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(`data: ${JSON.stringify(chunks[0])}\r\n\r\n`)
    expect(fake.openStreams).toBe(1)
    controller.abort()
    await reader.cancel().catch(() => undefined)
    await waitFor(() => fake.abortedStreams > 0)
    expect(fake.abortedStreams).toBe(1)
    expect(fake.openStreams).toBe(0)
  })

  test('reset-mid-stream breaks the connection after some chunks, or halfway through a non-stream body', async () => {
    fake.queue({ kind: 'reset-mid-stream', afterChunks: 2 }, { kind: 'reset-mid-stream', afterChunks: 0 })
    const response = await generate('gemini-2.5-pro', { ...request, generationConfig: { thinkingConfig: { includeThoughts: true } } }, { stream: true })
    const reader = response.body!.getReader()
    let received = ''
    const outcome = await (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return 'ended'
        received += new TextDecoder().decode(value)
      }
    })().catch(() => 'broken')
    expect(outcome).toBe('broken')
    expect(received.split('\r\n\r\n').filter(Boolean)).toHaveLength(2)
    expect(
      await generate('gemini-2.5-flash', request)
        .then((answer) => answer.text())
        .then(
          () => 'complete',
          () => 'broken',
        ),
    ).toBe('broken')
  })

  test('malformed-chunk puts a line that is not JSON after the given number of chunks', async () => {
    fake.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    const payloads = ssePayloads(await (await generate('gemini-2.5-flash', request, { stream: true })).text())
    expect(payloads).toHaveLength(4)
    expect(() => JSON.parse(payloads[1]!)).not.toThrow()
    expect(() => JSON.parse(payloads[2]!)).toThrow()
  })

  test('no-usage drops usageMetadata; usage replaces it (on the last chunk of a stream)', async () => {
    fake.queue({ kind: 'no-usage' })
    const bare = ssePayloads(await (await generate('gemini-2.5-flash', request, { stream: true })).text()).map((payload) => JSON.parse(payload) as Json)
    expect(bare.every((chunk) => !('usageMetadata' in chunk))).toBe(true)
    const usage = { promptTokenCount: 1000, candidatesTokenCount: 400, thoughtsTokenCount: 100, cachedContentTokenCount: 200, totalTokenCount: 1500 }
    fake.setScenario({ kind: 'usage', usage })
    expect(await (await generate('gemini-2.5-flash', request)).json()).toMatchObject({ usageMetadata: usage })
    const chunks = ssePayloads(await (await generate('gemini-2.5-flash', request, { stream: true })).text()).map((payload) => JSON.parse(payload) as Json)
    expect(chunks.at(-1)?.usageMetadata).toEqual(usage)
    expect(chunks[0]?.usageMetadata).not.toEqual(usage)
  })
})
