import { describe, expect, test } from 'bun:test'
import type { ChannelContext, ConversionEnv, HubChatRequest, HubEvent } from '@hanggent/plugin-sdk'
import plugin from './index.ts'
import { convertToOllamaRequest } from './convert-to-ollama-request.ts'
import { decodeOllamaResult, decodeOllamaStream, frameOllamaStream, readOllamaError } from './ollama-decode.ts'
import { ollamaModelListing, ollamaTransport, parseOllamaTags } from './ollama-transport.ts'
import { ollamaFixture, ollamaStreamBytes } from './test/fixtures.ts'

// The plugin's codecs against Ollama's recorded answers, with no gateway: request building (object
// arguments, tool_name, options, format, think, images), complete and streamed answers (the NDJSON cut at
// every byte offset), usage from the counters, errors, the transport with and without a key, /api/tags.

const env: ConversionEnv = { now: () => 1_764_950_000_000, newId: (prefix) => `${prefix}generated` }
const channel: ChannelContext = {
  id: 1,
  type: 'ollama',
  baseUrl: 'http://127.0.0.1:11434',
  key: '',
  settings: {},
  config: { azureDefaultApiVersion: '2024-10-21' },
}

/** The hub events of a stream fixture whose bytes arrive in the given pieces, framed by the plugin. */
async function streamEvents(name: string, cut: (bytes: Uint8Array) => Uint8Array[]): Promise<HubEvent[]> {
  const bytes = ollamaStreamBytes(name)
  async function* pieces() {
    yield* cut(bytes)
  }
  const events: HubEvent[] = []
  for await (const event of decodeOllamaStream(frameOllamaStream(pieces()), env)) events.push(event)
  return events
}

describe('Ollama requests', () => {
  test('a tool round trip becomes object arguments and a tool message naming its tool; sampling goes in options', () => {
    const request: HubChatRequest = {
      model: 'qwen3:8b',
      stream: true,
      maxOutputTokens: 200,
      temperature: 0.2,
      topK: 5,
      seed: 7,
      responseFormat: { type: 'json_object' },
      reasoning: { enabled: false },
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Answer briefly.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', content: '{"temperature":18}' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
    }
    const { value, warnings } = convertToOllamaRequest(request)
    expect(value).toEqual({
      model: 'qwen3:8b',
      stream: true,
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }] },
        { role: 'tool', content: '{"temperature":18}', tool_name: 'get_weather' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
        },
      ],
      options: { temperature: 0.2, num_predict: 200, top_k: 5, seed: 7 },
      format: 'json',
      think: false,
    })
    expect(warnings).toEqual([])
  })

  test('images go as base64 in images; a remote image URL and malformed tool arguments are named in the warnings', () => {
    const { value, warnings } = convertToOllamaRequest({
      model: 'llama3.2:3b',
      stream: false,
      reasoning: { effort: 'high' },
      responseFormat: { type: 'json_schema', name: 'city', schema: { type: 'object' } },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
            { type: 'image', data: 'AAAA', mediaType: 'image/jpeg' },
            { type: 'image', url: 'https://example.com/cat.png' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: 'not json' }] },
      ],
    })
    expect(value.messages).toEqual([
      { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo=', 'AAAA'] },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: {} } }] },
    ])
    expect(value.format).toEqual({ type: 'object' })
    expect(value.think).toBe('high')
    expect(warnings).toEqual([
      'an image given by URL is not sent to Ollama (it takes base64 images only)',
      'tool call arguments that are not a JSON object were sent to Ollama as {}',
    ])
  })
})

describe('Ollama answers', () => {
  test('a tool call: object arguments as a JSON string, a generated id, tool-calls finish, usage from the counters', () => {
    const result = decodeOllamaResult(ollamaFixture('ollama-chat-tool-call.json'), env)
    expect(result.model).toBe('qwen3:8b')
    expect(result.created).toBe(Math.floor(Date.parse('2026-11-20T09:14:03.512345Z') / 1000))
    expect(result.choices[0]?.content).toEqual([
      { type: 'tool-call', id: 'call_generated', name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' },
    ])
    expect(result.choices[0]?.finishReason).toBe('tool-calls')
    expect(result.usage).toMatchObject({ inputTokens: 180, outputTokens: 22, cacheReadTokens: 0 })
  })

  test('thinking is reasoning, whole and streamed', async () => {
    expect(decodeOllamaResult(ollamaFixture('ollama-chat-thinking.json'), env).choices[0]?.content).toEqual([
      { type: 'reasoning', text: 'The user asks 17 × 3. 17 × 3 = 51.' },
      { type: 'text', text: '51' },
    ])
    const events = await streamEvents('ollama-chat-thinking.ndjson', (bytes) => [bytes])
    expect(events.flatMap((event) => (event.type === 'reasoning-delta' ? [event.text] : [])).join('')).toBe('The user asks 17 × 3. 17 × 3 = 51.')
  })

  test('the NDJSON stream decodes the same at every byte split: text, usage, finish', async () => {
    const bytes = ollamaStreamBytes('ollama-chat-text.ndjson')
    for (let at = 0; at <= bytes.length; at += 1) {
      const events = await streamEvents('ollama-chat-text.ndjson', (all) => [all.slice(0, at), all.slice(at)])
      expect(events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('')).toBe(
        'The capital of France is Paris — about 2.1 million people live there.',
      )
      expect(events.filter((event) => event.type === 'usage' || event.type === 'finish')).toEqual([
        {
          type: 'usage',
          usage: {
            inputTokens: 26,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            outputTokens: 17,
            reasoningTokens: 0,
            raw: { prompt_eval_count: 26, eval_count: 17 },
          },
        },
        { type: 'finish', index: 0, reason: 'stop', rawReason: 'stop' },
      ])
    }
  })

  test('a streamed tool call arrives whole, its object arguments as one delta', async () => {
    const events = await streamEvents('ollama-chat-tool-call.ndjson', (bytes) => [bytes])
    expect(events.filter((event) => event.type.startsWith('tool-call') || event.type === 'finish')).toEqual([
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_generated', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":"Paris","unit":"celsius"}' },
      { type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'stop' },
    ])
  })

  test('an error line mid-stream and a line that is not JSON end the stream with an error event; {error} bodies are read', async () => {
    async function* lines(text: string) {
      yield new TextEncoder().encode(text)
    }
    const collect = async (text: string) => {
      const events: HubEvent[] = []
      for await (const event of decodeOllamaStream(frameOllamaStream(lines(text)), env)) events.push(event)
      return events.at(-1)
    }
    expect(
      await collect('{"model":"qwen3:8b","message":{"role":"assistant","content":"Hi"},"done":false}\n{"error":"model runner has unexpectedly stopped"}\n'),
    ).toEqual({
      type: 'error',
      status: 502,
      code: 'upstream_error',
      message: 'model runner has unexpectedly stopped',
    })
    expect(await collect('data: {}\n')).toMatchObject({ type: 'error', code: 'bad_upstream_response' })
    expect(readOllamaError(404, JSON.stringify(ollamaFixture('ollama-error-404.json')))).toEqual({
      message: 'model "qwen3:8b" not found, try pulling it first',
    })
    expect(readOllamaError(502, '<html>bad gateway</html>')).toEqual({ message: 'Ollama answered HTTP 502' })
  })
})

describe('Ollama channels', () => {
  test('a local Ollama gets no Authorization header; a proxied one gets the bearer key and keep_alive from the settings', () => {
    const call = {
      dialect: 'ollama.chat',
      endpoint: 'chat' as const,
      model: 'qwen3:8b',
      stream: false,
      body: { model: 'qwen3:8b', messages: [], stream: false },
    }
    const local = ollamaTransport.buildRequest({ ...call, channel })
    expect(local.url).toBe('http://127.0.0.1:11434/api/chat')
    expect(local.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json' })
    const proxied = ollamaTransport.buildRequest({ ...call, channel: { ...channel, key: 'proxy-token', settings: { keepAlive: '30m' } } })
    expect(proxied.headers).toMatchObject({ authorization: 'Bearer proxy-token' })
    expect(JSON.parse(String(proxied.body))).toEqual({ model: 'qwen3:8b', messages: [], stream: false, keep_alive: '30m' })
    // A keep_alive that is not one of Ollama's durations is not sent.
    expect(JSON.parse(String(ollamaTransport.buildRequest({ ...call, channel: { ...channel, settings: { keepAlive: 'forever' } } }).body))).not.toHaveProperty(
      'keep_alive',
    )
  })

  test('/api/tags lists every pulled model; a body without models is refused', () => {
    expect(ollamaModelListing.buildRequest(channel, undefined)).toMatchObject({ url: 'http://127.0.0.1:11434/api/tags', method: 'GET' })
    expect(parseOllamaTags(ollamaFixture('ollama-tags.json'))).toEqual({ models: ['qwen3:8b', 'llama3.2:3b', 'nomic-embed-text:latest'] })
    expect(() => parseOllamaTags({ error: 'nope' })).toThrow('the tag list has no "models" array')
  })

  test('the models it names are priced at zero, by Ollama family:tag names only', () => {
    expect(plugin.pricing).toEqual({
      'qwen3:*': { inputPerMTok: 0, outputPerMTok: 0 },
      'llama3.2:*': { inputPerMTok: 0, outputPerMTok: 0 },
      'gpt-oss:*': { inputPerMTok: 0, outputPerMTok: 0 },
    })
  })
})
