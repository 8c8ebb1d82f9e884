import { describe, expect, test } from 'bun:test'
import { decodeSse, type ChannelContext, type ConversionEnv, type HubChatRequest, type HubEvent } from '@hanggent/plugin-sdk'
import plugin from './index.ts'
import { convertToQuillonRequest } from './convert-to-quillon-request.ts'
import { decodeQuillonResult, decodeQuillonStream, readQuillonError } from './quillon-decode.ts'
import { quillonModelListing, quillonTransport, parseQuillonCatalogPage } from './quillon-transport.ts'
import { quillonChunks, quillonFixture } from './test/fixtures.ts'

// The plugin's codecs against Quillon's recorded answers, with no gateway: request building, complete
// and streamed answers (the stream cut at every byte offset), usage from `x_usage`, errors, the catalog.

const env: ConversionEnv = { now: () => 1_764_950_000_000, newId: (prefix) => `${prefix}generated` }
const channel: ChannelContext = {
  id: 1,
  type: 'quillon',
  baseUrl: 'https://api.quillon.example',
  key: 'quillon_live_key',
  settings: {},
  config: { azureDefaultApiVersion: '2024-10-21' },
}

/** The hub events of a stream fixture whose bytes arrive in the given pieces. */
async function streamEvents(name: string, cut: (bytes: Uint8Array) => Uint8Array[]): Promise<HubEvent[]> {
  const bytes = new TextEncoder().encode(
    quillonChunks(name)
      .map((data) => `data: ${data}\n\n`)
      .join(''),
  )
  async function* pieces() {
    yield* cut(bytes)
  }
  const events: HubEvent[] = []
  for await (const event of decodeQuillonStream(decodeSse(pieces()), env)) events.push(event)
  return events
}

const whole = (bytes: Uint8Array) => [bytes]

describe('Quillon requests', () => {
  test('a tool round trip in hub form becomes OpenAI-shaped messages, tools and tool choice', () => {
    const request: HubChatRequest = {
      model: 'quillon-chat-large',
      stream: false,
      maxOutputTokens: 200,
      temperature: 0.2,
      topK: 5,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Answer briefly.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', content: '{"temperature":18}' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
      toolChoice: { name: 'get_weather' },
    }
    const { value, warnings } = convertToQuillonRequest(request)
    expect(value).toEqual({
      model: 'quillon-chat-large',
      stream: false,
      max_tokens: 200,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":18}' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
    expect(warnings).toEqual(['top_k is not sent to Quillon'])
  })

  test('the key goes in X-Api-Key, never in Authorization; the project setting adds its header', () => {
    const built = quillonTransport.buildRequest({
      channel: { ...channel, settings: { project: 'prj_research' } },
      dialect: 'quillon.chat',
      endpoint: 'chat',
      model: 'quillon-chat-large',
      stream: true,
      body: { model: 'quillon-chat-large' },
    })
    expect(built.url).toBe('https://api.quillon.example/v1/chat/completions')
    expect(built.headers).toEqual({
      'x-api-key': 'quillon_live_key',
      'x-quillon-project': 'prj_research',
      'content-type': 'application/json',
      accept: 'text/event-stream',
    })
  })
})

describe('Quillon answers', () => {
  test('a complete answer: text, finish reason, and usage from x_usage with the cached part apart', () => {
    const result = decodeQuillonResult(quillonFixture('quillon-chat-text.json'), env)
    expect(result.model).toBe('quillon-chat-large')
    expect(result.choices).toEqual([
      {
        index: 0,
        content: [{ type: 'text', text: 'The capital of France is Paris — about 2.1 million people live there.' }],
        finishReason: 'stop',
        rawFinishReason: 'stop',
      },
    ])
    expect(result.usage).toMatchObject({ inputTokens: 176, cacheReadTokens: 1024, outputTokens: 18 })
  })

  test('a complete tool call keeps its id, name and arguments', () => {
    const result = decodeQuillonResult(quillonFixture('quillon-chat-tool-call.json'), env)
    expect(result.choices[0]).toEqual({
      index: 0,
      content: [{ type: 'tool-call', id: 'call_quillon_9QK2mV0xLr', name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' }],
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_calls',
    })
    expect(result.usage).toMatchObject({ inputTokens: 210, cacheReadTokens: 0, outputTokens: 24 })
  })

  test('a streamed answer: text deltas, then usage from the finishing chunk, then the finish', async () => {
    const events = await streamEvents('quillon-chat-text.chunks.txt', whole)
    expect(events[0]).toEqual({ type: 'message-start', id: 'quillon-cmpl-2b8e61f0a9c34d17', model: 'quillon-chat-large', created: 1764950401 })
    expect(events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('')).toBe(
      'The capital of France is Paris — about 2.1 million people live there.',
    )
    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: 176,
          cacheReadTokens: 1024,
          cacheWriteTokens: 0,
          outputTokens: 18,
          reasoningTokens: 0,
          raw: { input_tokens: 1200, cached_input_tokens: 1024, output_tokens: 18 },
        },
      },
      { type: 'finish', index: 0, reason: 'stop', rawReason: 'stop' },
    ])
  })

  test('a streamed tool call: one start with id and name, argument pieces in order', async () => {
    const events = await streamEvents('quillon-chat-tool-call.chunks.txt', whole)
    const tools = events.filter((event) => event.type === 'tool-call-start' || event.type === 'tool-call-delta')
    expect(tools[0]).toEqual({ type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_quillon_4HtW8pZ1cN', name: 'get_weather' })
    expect(
      tools
        .slice(1)
        .map((event) => (event.type === 'tool-call-delta' ? event.argumentsDelta : ''))
        .join(''),
    ).toBe('{"location":"Paris","unit":"celsius"}')
    expect(events.at(-1)).toEqual({ type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'tool_calls' })
  })

  test('every stream decodes the same whatever byte its bytes are cut at, inside UTF-8 characters too', async () => {
    for (const name of ['quillon-chat-text.chunks.txt', 'quillon-chat-tool-call.chunks.txt', 'quillon-chat-tool-result.chunks.txt']) {
      const expected = await streamEvents(name, whole)
      const length = new TextEncoder().encode(
        quillonChunks(name)
          .map((data) => `data: ${data}\n\n`)
          .join(''),
      ).length
      for (let offset = 1; offset < length; offset += 1) {
        const events = await streamEvents(name, (bytes) => [bytes.slice(0, offset), bytes.slice(offset)])
        if (JSON.stringify(events) !== JSON.stringify(expected)) throw new Error(`${name}: the events differ when the stream is cut at byte ${offset}`)
      }
    }
  })

  test('a chunk that is not JSON ends the stream with an error event', async () => {
    async function* broken() {
      yield { data: quillonChunks('quillon-chat-text.chunks.txt')[0]! }
      yield { data: '{"id": "quillon-cmpl-x", "choices": [' }
    }
    const events: HubEvent[] = []
    for await (const event of decodeQuillonStream(broken(), env)) events.push(event)
    expect(events.at(-1)).toEqual({ type: 'error', status: 502, code: 'bad_upstream_response', message: 'Quillon sent a stream chunk that is not JSON' })
  })

  test("Quillon's {detail} errors are read as the message", () => {
    expect(readQuillonError(401, JSON.stringify(quillonFixture('quillon-error-401.json')))).toEqual({
      message: 'Invalid API key. Keys start with quillon_ and are shown once in the console.',
    })
    expect(readQuillonError(502, '<html>Bad gateway</html>')).toEqual({ message: 'Quillon answered HTTP 502' })
  })
})

describe('Quillon catalog', () => {
  test('pages are read by their token, embedding models left out', () => {
    expect(parseQuillonCatalogPage(quillonFixture('quillon-catalog-page-1.json'))).toEqual({
      models: ['quillon-chat-large', 'quillon-chat-small'],
      nextCursor: 'cat_p2_Zm9vYmFy',
    })
    expect(parseQuillonCatalogPage(quillonFixture('quillon-catalog-page-2.json'))).toEqual({ models: ['quillon-chat-large-2025-10'] })
    expect(() => parseQuillonCatalogPage({ data: [] })).toThrow('the catalog has no "models" array')
    const second = quillonModelListing.buildRequest(channel, 'cat_p2_Zm9vYmFy')
    expect(second).toEqual({
      url: 'https://api.quillon.example/v1/catalog?page_size=50&page_token=cat_p2_Zm9vYmFy',
      method: 'GET',
      headers: { 'x-api-key': 'quillon_live_key', accept: 'application/json' },
    })
  })

  test('the manifest prices every model it lists', () => {
    expect(plugin.models.map((model) => model.id).filter((id) => !plugin.pricing[id])).toEqual([])
  })
})
