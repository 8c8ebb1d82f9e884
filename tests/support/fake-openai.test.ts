import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.ts'
import { loadChunks, loadFixture } from './fixtures.ts'

// The fake upstream checked on its own with plain fetch, so gateway suites can trust what it says.

type Json = Record<string, unknown>

const fake: FakeOpenAI = await startFakeOpenAI({ keys: ['sk-upstream-1'] })
afterAll(() => fake.stop())
beforeEach(() => fake.reset())

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] }

function post(path: string, body: unknown, init: { key?: string | null; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? 'sk-upstream-1'}`
  return fetch(`${fake.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), signal: init.signal })
}

/** Splits an SSE body into its `data:` payloads, checking the framing on the way. */
function ssePayloads(text: string): string[] {
  expect(text.endsWith('\n\n')).toBe(true)
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true)
      return frame.slice('data: '.length)
    })
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await Bun.sleep(10)
}

describe('authentication', () => {
  test('a missing, malformed or unknown key gets OpenAI 401 body', async () => {
    const expected = loadFixture('openai', 'openai-error-401.json')
    for (const response of [
      await post('/v1/chat/completions', chat, { key: null }),
      await post('/v1/chat/completions', chat, { key: 'sk-wrong' }),
      await fetch(`${fake.url}/v1/models`, { headers: { authorization: 'Basic c2stdXBzdHJlYW0tMQ==' } }),
    ]) {
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual(expected)
    }
  })

  test('without a key list any non-empty bearer key is accepted', async () => {
    const open = await startFakeOpenAI()
    try {
      const response = await fetch(`${open.url}/v1/models`, { headers: { authorization: 'Bearer anything' } })
      expect(response.status).toBe(200)
    } finally {
      await open.stop()
    }
  })
})

describe('non-stream answers', () => {
  test('chat answers with the text fixture, echoing the requested model', async () => {
    const response = await post('/v1/chat/completions', { ...chat, model: 'gpt-4o-2024-08-06' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/)
    expect(await response.json()).toEqual({ ...loadFixture('openai', 'openai-chat-text.json'), model: 'gpt-4o-2024-08-06' })
  })

  test('a request with tools gets the tool-call fixture; n=2 gets two choices', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }]
    const toolCall = (await (await post('/v1/chat/completions', { ...chat, tools })).json()) as Json
    expect(toolCall).toEqual({ ...loadFixture('openai', 'openai-chat-tool-call.json'), model: 'gpt-4o-mini' })
    const two = (await (await post('/v1/chat/completions', { ...chat, n: 2 })).json()) as { choices: unknown[] }
    expect(two.choices).toHaveLength(2)
  })

  test('legacy completions and models', async () => {
    const completion = await (await post('/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' })).json()
    expect(completion).toEqual({ ...loadFixture('openai', 'openai-completions.json'), model: 'gpt-3.5-turbo-instruct' })
    const models = await (await fetch(`${fake.url}/v1/models`, { headers: { authorization: 'Bearer sk-upstream-1' } })).json()
    expect(models).toEqual(loadFixture('openai', 'openai-models.json'))
  })

  test('embeddings: one vector per input, as floats or as base64 float32', async () => {
    const fixture = loadFixture<{ data: Array<{ embedding: number[] }> }>('openai', 'openai-embeddings.json')
    const floats = (await (await post('/v1/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b', 'c'] })).json()) as {
      object: string
      data: Array<{ index: number; embedding: number[] }>
    }
    expect(floats.object).toBe('list')
    expect(floats.data.map((item) => item.index)).toEqual([0, 1, 2])
    expect(floats.data[1]?.embedding).toEqual(fixture.data[1]!.embedding)
    const tokens = (await (await post('/v1/embeddings', { model: 'text-embedding-3-small', input: [9906, 1917] })).json()) as { data: unknown[] }
    expect(tokens.data).toHaveLength(1)
    const packed = (await (await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'a', encoding_format: 'base64' })).json()) as {
      data: Array<{ embedding: string }>
    }
    const decoded = Array.from(new Float32Array(new Uint8Array(Buffer.from(packed.data[0]!.embedding, 'base64')).buffer))
    expect(decoded).toEqual(fixture.data[0]!.embedding.map((value) => Math.fround(value)))
  })

  test('unknown paths get 404 and bodies that are not JSON get 400, both in OpenAI error shape', async () => {
    const missing = await post('/v1/assistants', chat)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error' } })
    const broken = await post('/v1/chat/completions', '{"model":')
    expect(broken.status).toBe(400)
    expect(await broken.json()).toMatchObject({ error: { type: 'invalid_request_error' } })
  })
})

describe('streaming', () => {
  test('SSE framing: a data line per fixture chunk, then [DONE]; no usage without include_usage', async () => {
    const response = await post('/v1/chat/completions', { ...chat, stream: true })
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const payloads = ssePayloads(await response.text())
    expect(payloads.at(-1)).toBe('[DONE]')
    const chunks = payloads.slice(0, -1).map((payload) => JSON.parse(payload) as Json)
    const recorded = loadChunks('openai', 'openai-chat-text.chunks.txt')
    expect(chunks).toHaveLength(recorded.length - 1)
    for (const chunk of chunks) expect('usage' in chunk).toBe(false)
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ delta: { role: 'assistant', content: '' } }] })
    expect(chunks.at(-1)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] })
  })

  test('with include_usage every chunk carries usage: null and a last chunk with choices: [] carries the usage', async () => {
    const response = await post('/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } })
    const chunks = ssePayloads(await response.text())
      .slice(0, -1)
      .map((payload) => JSON.parse(payload) as Json)
    expect(chunks).toEqual(loadChunks('openai', 'openai-chat-text.chunks.txt').map((chunk) => ({ ...chunk, model: 'gpt-4o-mini' })))
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true)
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 24, completion_tokens: 15, total_tokens: 39 } })
  })

  test('streamed tool calls and legacy completions', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }]
    const toolText = await (await post('/v1/chat/completions', { ...chat, tools, stream: true })).text()
    const toolChunks = ssePayloads(toolText)
      .slice(0, -1)
      .map(
        (payload) =>
          JSON.parse(payload) as { choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments: string } }> }; finish_reason: string | null }> },
      )
    const args = toolChunks.map((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function.arguments ?? '').join('')
    expect(JSON.parse(args)).toEqual({ location: 'Paris, France', unit: 'celsius' })
    expect(toolChunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls')
    const legacy = await (await post('/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true })).text()
    const text = ssePayloads(legacy)
      .slice(0, -1)
      .map((payload) => (JSON.parse(payload) as { choices: Array<{ text: string }> }).choices[0]?.text)
      .join('')
    expect(text).toBe('\n\nThis is a test.')
  })
})

describe('recording', () => {
  test('every request is kept with method, path, headers, raw and parsed body', async () => {
    const raw = JSON.stringify({ ...chat, stream: true, stream_options: { include_usage: true }, unknown_field: { kept: true } })
    await (await post('/v1/chat/completions?api-version=1', raw)).text()
    await post('/v1/chat/completions', chat, { key: 'sk-wrong' })
    expect(fake.requests).toHaveLength(2)
    const [first, second] = fake.requests
    expect(first).toMatchObject({ method: 'POST', path: '/v1/chat/completions', rawBody: raw })
    expect(first?.headers.authorization).toBe('Bearer sk-upstream-1')
    expect(first?.headers['content-type']).toBe('application/json')
    expect(first?.body).toEqual(JSON.parse(raw))
    expect(second?.headers.authorization).toBe('Bearer sk-wrong')
  })

  test('reset forgets requests, queued scenarios and the default scenario', async () => {
    await post('/v1/chat/completions', chat)
    fake.setScenario({ kind: 'status', status: 500 })
    fake.queue({ kind: 'status', status: 429 })
    fake.reset()
    expect(fake.requests).toHaveLength(0)
    expect(fake.nextResponses).toHaveLength(0)
    expect((await post('/v1/chat/completions', chat)).status).toBe(200)
  })
})

describe('scenarios', () => {
  test('queued scenarios answer one request each, in order, then the default scenario applies', async () => {
    fake.setScenario({ kind: 'status', status: 500 })
    fake.nextResponses.push({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { kind: 'fixture' })
    const first = await post('/v1/chat/completions', chat)
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('1')
    expect(await first.json()).toEqual(loadFixture('openai', 'openai-error-429.json'))
    expect((await post('/v1/chat/completions', chat)).status).toBe(200)
    const third = await post('/v1/chat/completions', chat)
    expect(third.status).toBe(500)
    expect(await third.json()).toEqual(loadFixture('openai', 'openai-error-500.json'))
  })

  test('status answers with the given body; 400 defaults to the context-length error', async () => {
    fake.queue(
      { kind: 'status', status: 503, body: { error: { message: 'overloaded', type: 'server_error', param: null, code: null } } },
      { kind: 'status', status: 400 },
    )
    const custom = await post('/v1/chat/completions', chat)
    expect(custom.status).toBe(503)
    expect(await custom.json()).toEqual({ error: { message: 'overloaded', type: 'server_error', param: null, code: null } })
    expect(await (await post('/v1/chat/completions', chat)).json()).toMatchObject({ error: { code: 'context_length_exceeded' } })
  })

  test('a named fixture answers regardless of the request', async () => {
    fake.queue({ kind: 'fixture', name: 'openai-chat-tool-call' }, { kind: 'fixture', name: 'openai-chat-tool-call.json' })
    const streamed = await (await post('/v1/chat/completions', { ...chat, stream: true })).text()
    expect(streamed).toContain('"tool_calls"')
    expect(await (await post('/v1/chat/completions', chat)).json()).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] })
  })

  test('slow waits before answering', async () => {
    fake.queue({ kind: 'slow', delayMs: 150 })
    const started = performance.now()
    expect((await post('/v1/chat/completions', chat)).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
  })

  test('hang keeps the request open until the client gives up', async () => {
    fake.queue({ kind: 'hang' })
    const outcome = await post('/v1/chat/completions', chat, { signal: AbortSignal.timeout(100) }).then(
      () => 'answered',
      (error: Error) => error.name,
    )
    expect(outcome).toBe('TimeoutError')
  })

  test('stream-gap delivers chunks one at a time, and a client that leaves is counted as an aborted stream', async () => {
    const chunks = [
      { id: 'chatcmpl-a', choices: [{ index: 0, delta: { content: 'one' } }] },
      { id: 'chatcmpl-a', choices: [{ index: 0, delta: { content: 'two' } }] },
    ]
    fake.queue({ kind: 'stream-gap', gapMs: 200, chunks })
    const controller = new AbortController()
    const response = await post('/v1/chat/completions', { ...chat, stream: true }, { signal: controller.signal })
    const reader = response.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toBe(`data: ${JSON.stringify(chunks[0])}\n\n`)
    expect(fake.openStreams).toBe(1)
    controller.abort()
    await reader.cancel().catch(() => undefined)
    await waitFor(() => fake.abortedStreams > 0)
    expect(fake.abortedStreams).toBe(1)
    expect(fake.openStreams).toBe(0)
  })

  test('a stream that ends normally is not counted as aborted', async () => {
    fake.queue({ kind: 'stream-gap', gapMs: 5 })
    await (await post('/v1/chat/completions', { ...chat, stream: true })).text()
    await Bun.sleep(50)
    expect(fake.abortedStreams).toBe(0)
    expect(fake.openStreams).toBe(0)
  })

  test('reset-mid-stream sends some chunks and then breaks the connection', async () => {
    fake.queue({ kind: 'reset-mid-stream', afterChunks: 3 })
    const response = await post('/v1/chat/completions', { ...chat, stream: true })
    expect(response.status).toBe(200)
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
    expect(received.split('\n\n').filter(Boolean)).toHaveLength(3)
    expect(received).not.toContain('[DONE]')
    expect(fake.abortedStreams).toBe(0)
  })

  test('reset-mid-stream on a non-stream request breaks halfway through the body', async () => {
    fake.queue({ kind: 'reset-mid-stream', afterChunks: 0 })
    const outcome = await post('/v1/chat/completions', chat)
      .then((response) => response.text())
      .then(
        () => 'complete',
        () => 'broken',
      )
    expect(outcome).toBe('broken')
  })

  test('malformed-chunk puts a line that is not JSON after the given number of chunks', async () => {
    fake.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    const payloads = ssePayloads(await (await post('/v1/chat/completions', { ...chat, stream: true })).text())
    expect(() => JSON.parse(payloads[1]!)).not.toThrow()
    expect(() => JSON.parse(payloads[2]!)).toThrow()
    expect(payloads.at(-1)).toBe('[DONE]')
  })

  test('no-usage leaves out the usage chunk even when include_usage was asked for', async () => {
    fake.queue({ kind: 'no-usage' })
    const payloads = ssePayloads(await (await post('/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } })).text())
    const chunks = payloads.slice(0, -1).map((payload) => JSON.parse(payload) as { choices: unknown[] })
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true)
  })

  test('usage replaces the reported usage, stream and non-stream', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 200 } }
    fake.setScenario({ kind: 'usage', usage })
    expect(await (await post('/v1/chat/completions', chat)).json()).toMatchObject({ usage })
    const payloads = ssePayloads(await (await post('/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } })).text())
    expect(JSON.parse(payloads.at(-2)!)).toMatchObject({ choices: [], usage })
  })
})
