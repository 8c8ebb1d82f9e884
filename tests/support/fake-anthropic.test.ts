import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { FAKE_CONTINUATION, prefillTokens, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.ts'
import { loadChunks, loadFixture } from './fixtures.ts'

// The fake Anthropic upstream checked on its own with plain fetch, so gateway suites can trust what it says.

type Json = Record<string, unknown>

const fake: FakeAnthropic = await startFakeAnthropic({ keys: ['sk-ant-1'] })
afterAll(() => fake.stop())
beforeEach(() => fake.reset())

const message = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Capital of France?' }] }
const tools = [{ name: 'get_weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }]

function post(body: unknown, init: { key?: string | null; version?: string | null; path?: string; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (init.key !== null) headers['x-api-key'] = init.key ?? 'sk-ant-1'
  if (init.version !== null) headers['anthropic-version'] = init.version ?? '2023-06-01'
  return fetch(`${fake.url}${init.path ?? '/v1/messages'}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  })
}

/** Splits an SSE body into events, checking that each names its type and that the data repeats it. */
function sseEvents(text: string): Array<{ event: string; data: string }> {
  expect(text.endsWith('\n\n')).toBe(true)
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split('\n')
      expect(rest).toEqual([])
      expect(eventLine?.startsWith('event: ')).toBe(true)
      expect(dataLine?.startsWith('data: ')).toBe(true)
      return { event: eventLine!.slice('event: '.length), data: dataLine!.slice('data: '.length) }
    })
}

const parsed = (text: string) =>
  sseEvents(text).map(({ event, data }) => {
    const payload = JSON.parse(data) as Json
    expect(payload.type).toBe(event)
    return payload
  })

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await Bun.sleep(10)
}

describe('what Anthropic checks first', () => {
  test('a missing or unknown x-api-key gets the 401 body; a Bearer key is not enough', async () => {
    const expected = loadFixture('claude', 'claude-error-401.json')
    for (const response of [await post(message, { key: null }), await post(message, { key: 'sk-wrong' })]) {
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual(expected)
    }
    const bearer = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-ant-1', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(message),
    })
    expect(bearer.status).toBe(401)
  })

  test("a missing anthropic-version header is a 400 in Anthropic's shape", async () => {
    const response = await post(message, { version: null })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } })
  })

  test('bodies Anthropic would refuse: no max_tokens, not JSON, thinking rules; unknown paths are 404', async () => {
    const failures = [
      [await post({ ...message, max_tokens: undefined }), 400, 'max_tokens: Field required'],
      [await post('{"model":'), 400, 'There was an error parsing the body of your request as JSON.'],
      [
        await post({ ...message, thinking: { type: 'enabled', budget_tokens: 512 } }),
        400,
        'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
      ],
      [await post({ ...message, thinking: { type: 'enabled', budget_tokens: 2048 } }), 400, '`max_tokens` must be greater than `thinking.budget_tokens`'],
      [
        await post({ ...message, max_tokens: 4096, temperature: 0.5, thinking: { type: 'enabled', budget_tokens: 2048 } }),
        400,
        '`temperature` may only be set to 1 when thinking is enabled',
      ],
      [await post(message, { path: '/v1/complete' }), 404, 'Not Found'],
    ] as const
    for (const [response, status, text] of failures) {
      expect(response.status).toBe(status)
      const body = (await response.json()) as { type: string; error: { message: string } }
      expect(body.type).toBe('error')
      expect(body.error.message).toContain(text)
    }
  })

  test('without a key list any non-empty key is accepted', async () => {
    const open = await startFakeAnthropic()
    try {
      const response = await fetch(`${open.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': 'anything', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(message),
      })
      expect(response.status).toBe(200)
    } finally {
      await open.stop()
    }
  })
})

describe('non-stream answers', () => {
  test('text fixture, echoing the requested model, with a request-id header', async () => {
    const response = await post({ ...message, model: 'claude-sonnet-4-5-20250929' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('request-id')).toMatch(/^req_[0-9a-f]{24}$/)
    expect(await response.json()).toEqual({ ...loadFixture('claude', 'claude-text.json'), model: 'claude-sonnet-4-5-20250929' })
  })

  test('tools get the tool-use fixture; thinking gets the thinking fixture', async () => {
    expect(await (await post({ ...message, tools })).json()).toEqual({ ...loadFixture('claude', 'claude-tool-use.json'), model: 'claude-sonnet-4-5' })
    expect(await (await post({ ...message, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 } })).json()).toEqual({
      ...loadFixture('claude', 'claude-thinking.json'),
      model: 'claude-sonnet-4-5',
    })
  })
})

describe('streaming', () => {
  test('every recorded event framed as `event: <type>` + `data: <json>`, ping included, model echoed', async () => {
    const response = await post({ ...message, model: 'claude-x', stream: true })
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const events = parsed(await response.text())
    const recorded = loadChunks<Json>('claude', 'claude-text.chunks.txt')
    expect(events).toEqual(
      recorded.map((event) => (event.type === 'message_start' ? { ...event, message: { ...(event.message as Json), model: 'claude-x' } } : event)),
    )
    expect(events.map((event) => event.type)).toContain('ping')
    expect(events.at(-1)).toEqual({ type: 'message_stop' })
  })

  test('streamed tool use and thinking', async () => {
    const toolEvents = parsed(await (await post({ ...message, tools, stream: true })).text())
    const json = toolEvents.map((event) => (event.delta as Json | undefined)?.partial_json ?? '').join('')
    expect(JSON.parse(json)).toEqual({ location: 'Paris, France', unit: 'celsius' })
    const thinkingEvents = parsed(await (await post({ ...message, max_tokens: 4096, stream: true, thinking: { type: 'enabled', budget_tokens: 2048 } })).text())
    expect(thinkingEvents.some((event) => (event.delta as Json | undefined)?.type === 'signature_delta')).toBe(true)
  })
})

describe('recording', () => {
  test('every request is kept with method, path, headers, raw and parsed body', async () => {
    const raw = JSON.stringify({ ...message, stream: true, unknown_field: { kept: true } })
    await (await post(raw)).text()
    await post(message, { key: 'sk-wrong' })
    expect(fake.requests).toHaveLength(2)
    const [first, second] = fake.requests
    expect(first).toMatchObject({ method: 'POST', path: '/v1/messages', rawBody: raw, body: JSON.parse(raw) })
    expect(first?.headers['x-api-key']).toBe('sk-ant-1')
    expect(first?.headers['anthropic-version']).toBe('2023-06-01')
    expect(second?.headers['x-api-key']).toBe('sk-wrong')
  })

  test('reset forgets requests, queued scenarios and the default scenario', async () => {
    await post(message)
    fake.setDefault({ kind: 'status', status: 529 })
    fake.queue({ kind: 'status', status: 429 })
    fake.reset()
    expect(fake.requests).toHaveLength(0)
    expect(fake.nextResponses).toHaveLength(0)
    expect((await post(message)).status).toBe(200)
  })
})

describe('scenarios', () => {
  test('queued scenarios answer one request each, then the default applies; recorded error bodies by status', async () => {
    fake.setDefault({ kind: 'status', status: 529 })
    fake.queue({ kind: 'status', status: 429, headers: { 'retry-after': '7' } }, { kind: 'fixture' }, { kind: 'status', status: 400 })
    const limited = await post(message)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(await limited.json()).toEqual(loadFixture('claude', 'claude-error-429.json'))
    expect((await post(message)).status).toBe(200)
    expect(await (await post(message)).json()).toEqual(loadFixture('claude', 'claude-error-400.json'))
    const overloaded = await post(message)
    expect(overloaded.status).toBe(529)
    expect(await overloaded.json()).toEqual(loadFixture('claude', 'claude-error-529-overloaded.json'))
  })

  test('a status without a recorded body gets a generic Anthropic error', async () => {
    fake.queue(
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503, body: { type: 'error', error: { type: 'overloaded_error', message: 'custom' } } },
    )
    expect(await (await post(message)).json()).toMatchObject({ type: 'error', error: { type: 'api_error', message: 'HTTP 500' } })
    expect(await (await post(message)).json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'custom' } })
  })

  test('a named fixture answers regardless of the request', async () => {
    fake.queue({ kind: 'fixture', name: 'claude-tool-use' }, { kind: 'fixture', name: 'claude-thinking.json' })
    expect(await (await post({ ...message, stream: true })).text()).toContain('"tool_use"')
    expect(await (await post(message)).json()).toMatchObject({ content: [{ type: 'thinking' }, { type: 'text' }] })
  })

  test('slow waits before answering; hang never answers', async () => {
    fake.queue({ kind: 'slow', delayMs: 150 }, { kind: 'hang' })
    const started = performance.now()
    expect((await post(message)).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    const outcome = await post(message, { signal: AbortSignal.timeout(100) }).then(
      () => 'answered',
      (error: Error) => error.name,
    )
    expect(outcome).toBe('TimeoutError')
  })

  test('stream-gap delivers events one at a time, and a client that leaves is counted as an aborted stream', async () => {
    const events = [{ type: 'message_start', message: { id: 'msg_1' } }, { type: 'ping' }]
    fake.queue({ kind: 'stream-gap', gapMs: 200, events })
    const controller = new AbortController()
    const response = await post({ ...message, stream: true }, { signal: controller.signal })
    const reader = response.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(`event: message_start\ndata: ${JSON.stringify(events[0])}\n\n`)
    expect(fake.openStreams).toBe(1)
    controller.abort()
    await reader.cancel().catch(() => undefined)
    await waitFor(() => fake.abortedStreams > 0)
    expect(fake.abortedStreams).toBe(1)
    expect(fake.openStreams).toBe(0)
  })

  test('reset-mid-stream sends some events and then breaks the connection; on a non-stream answer, halfway through', async () => {
    fake.queue({ kind: 'reset-mid-stream', afterChunks: 3 }, { kind: 'reset-mid-stream', afterChunks: 0 })
    const reader = (await post({ ...message, stream: true })).body!.getReader()
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
    expect(
      await post(message)
        .then((response) => response.text())
        .then(
          () => 'complete',
          () => 'broken',
        ),
    ).toBe('broken')
  })

  test('malformed-chunk puts an event whose data is not JSON after the given number of events', async () => {
    fake.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    const events = sseEvents(await (await post({ ...message, stream: true })).text())
    expect(() => JSON.parse(events[1]!.data)).not.toThrow()
    expect(() => JSON.parse(events[2]!.data)).toThrow()
    expect(events.at(-1)?.event).toBe('message_stop')
  })

  test('stream-error ends the stream with an `event: error` after the given number of events', async () => {
    fake.queue({ kind: 'stream-error', afterChunks: 3 }, { kind: 'stream-error', afterChunks: 1, errorType: 'api_error', message: 'Internal server error' })
    const events = parsed(await (await post({ ...message, stream: true })).text())
    expect(events).toHaveLength(4)
    expect(events.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
    expect(parsed(await (await post({ ...message, stream: true })).text()).at(-1)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Internal server error' },
    })
  })

  test('usage replaces the reported numbers: input side in message_start, all of them in message_delta and non-stream answers', async () => {
    const usage = { input_tokens: 1000, output_tokens: 500, cache_read_input_tokens: 200, cache_creation_input_tokens: 50 }
    fake.setDefault({ kind: 'usage', usage })
    expect(await (await post(message)).json()).toMatchObject({ usage })
    const events = parsed(await (await post({ ...message, stream: true })).text())
    expect((events[0]!.message as { usage: Json }).usage).toMatchObject({
      input_tokens: 1000,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 50,
      output_tokens: 1,
    })
    expect(events.find((event) => event.type === 'message_delta')?.usage).toMatchObject(usage)
  })
})

describe('prefill (a final assistant turn)', () => {
  const prefilled = (prefill: string, stream: boolean) => ({
    ...message,
    stream,
    messages: [...message.messages, { role: 'assistant', content: [{ type: 'text', text: prefill }] }],
  })
  const streamedText = (events: Json[]) =>
    events
      .filter((event) => event.type === 'content_block_delta')
      .map((event) => String((event.delta as Json).text))
      .join('')

  test('the answer continues the prefill: the scripted text after it, else a fixed continuation; the prefill counts as input', async () => {
    const plain = parsed(await (await post({ ...message, stream: true })).text())
    const plainInput = Number(((plain[0]!.message as Json).usage as Json).input_tokens)
    const events = parsed(await (await post(prefilled('The capital', true))).text())
    expect(streamedText(events)).toBe(' of France is Paris, on the Seine.')
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    expect(((events[0]!.message as Json).usage as Json).input_tokens).toBe(plainInput + prefillTokens('The capital'))
    expect(Number((events.at(-2)!.usage as Json).input_tokens)).toBe(plainInput + prefillTokens('The capital'))
    expect(streamedText(parsed(await (await post(prefilled('Bonjour', true))).text()))).toBe(FAKE_CONTINUATION)
    const whole = (await (
      await post({ ...prefilled('The capital of', false), messages: [...message.messages, { role: 'assistant', content: 'The capital of' }] })
    ).json()) as Json
    expect(whole.content).toEqual([{ type: 'text', text: ' France is Paris.' }])
  })

  test("a prefill ending in whitespace is Anthropic's 400 invalid_request_error", async () => {
    for (const stream of [true, false]) {
      const response = await post(prefilled('The capital ', stream))
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: 'messages: final assistant content cannot end with trailing whitespace' },
      })
    }
  })
})
