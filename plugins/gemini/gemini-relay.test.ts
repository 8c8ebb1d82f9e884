import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { ApiError, GoogleGenAI } from '@google/genai'
import { startGateway, type TestGateway } from '../../tests/support/gateway.ts'
import { startFakeGemini, type FakeGemini } from '../../tests/support/fake-gemini.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../../tests/support/fake-openai.ts'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'

// The gemini.generate dialect and the gemini channel type through a real gateway, driven by the official
// SDKs: Gemini clients passed through to a Gemini channel, OpenAI clients converted to Gemini, Gemini
// clients converted to OpenAI, and Gemini through the hub to Gemini when a reasoning suffix applies.

type Json = Record<string, unknown>
type Chunk = { candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> } }> }

let gateway: TestGateway
let gemini: FakeGemini
let openai: FakeOpenAI
let key: string
let google: GoogleGenAI
let googleBeta: GoogleGenAI
let chat: OpenAI

beforeAll(async () => {
  gemini = await startFakeGemini({ keys: ['AIza-upstream'] })
  openai = await startFakeOpenAI({ keys: ['sk-openai'] })
  gateway = await startGateway()
  await gateway.createChannel({
    name: 'gemini',
    type: 'gemini',
    key: 'AIza-upstream',
    baseUrl: gemini.url,
    models: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-thinking'],
  })
  await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-openai', baseUrl: openai.url, models: ['gpt-4o-mini'] })
  key = (await gateway.createToken({ name: 'relay', unlimited: true })).key
  google = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway.url } })
  googleBeta = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway.url, apiVersion: 'v1beta' } })
  chat = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
})
afterAll(async () => {
  await gateway.stop()
  await gemini.stop()
  await openai.stop()
})
beforeEach(() => {
  gemini.reset()
  openai.reset()
})

const answerText = (chunk: Chunk) =>
  (chunk.candidates?.[0]?.content?.parts ?? [])
    .filter((part) => !part.thought)
    .map((part) => part.text ?? '')
    .join('')
const fixtureText = (name: string) => loadChunks<Chunk>('gemini', name).map(answerText).join('')
const weather = {
  name: 'get_weather',
  description: 'Current weather',
  parametersJsonSchema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
}

describe('Gemini clients on a Gemini channel (passthrough)', () => {
  test('non-stream: the body reaches Gemini unchanged under the channel key; the answer comes back as sent; cached tokens billed once', async () => {
    const response = await google.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Capital of France?',
      config: { systemInstruction: 'Be brief.', safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT' as never, threshold: 'BLOCK_NONE' as never }] },
    })
    const sent = gemini.requests[0]
    expect(sent).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:generateContent', model: 'gemini-2.5-flash' })
    expect(sent?.headers['x-goog-api-key']).toBe('AIza-upstream')
    expect(sent?.body).toEqual({
      contents: [{ parts: [{ text: 'Capital of France?' }], role: 'user' }],
      systemInstruction: { parts: [{ text: 'Be brief.' }], role: 'user' },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      generationConfig: {},
    })
    const fixture = loadFixture<Json>('gemini', 'gemini-text.json')
    expect(response.responseId).toBe(String(fixture.responseId))
    expect(response.usageMetadata).toEqual(fixture.usageMetadata as never)
    const logs = await gateway.logs({ type: 'consume' })
    expect(logs.find((row) => row.isStream === false)).toMatchObject({ promptTokens: 2154, cacheReadTokens: 2031, completionTokens: 38 })
  })

  test('stream on v1beta with alt=sse: the SDK assembles the recorded text; usage comes from the last chunk', async () => {
    let text = ''
    for await (const chunk of await googleBeta.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Capital of France?' }))
      text += answerText(chunk)
    expect(gemini.requests[0]).toMatchObject({ action: 'streamGenerateContent', query: { alt: 'sse' } })
    expect(text).toBe(fixtureText('gemini-text.chunks.txt'))
    const logs = await gateway.logs({ type: 'consume' })
    expect(logs.find((row) => row.isStream === true && row.completionTokens === 38 + 26)?.promptTokens).toBe(9)
  })

  test('REST with ?key= works; a wrong key and an upstream rate limit are answered in Google error shape', async () => {
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] })
    const ok = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(ok.status).toBe(200)
    const denied = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateContent?key=sk-wrong`, { method: 'POST', body })
    expect(denied.status).toBe(401)
    expect(await denied.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', details: [{ reason: 'invalid_api_key' }] } })
    // Not the recorded "exceeded your current quota" body: that wording auto-disables the channel.
    gemini.queue({
      kind: 'status',
      status: 429,
      body: { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } },
    })
    const failure = await google.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).status).toBe(429)
    expect((failure as ApiError).message).toContain('RESOURCE_EXHAUSTED')
  })

  test('an unsupported method is refused with 501 in Google error shape', async () => {
    // countTokens is answered by the gateway (tests/integration/gemini-side-methods.test.ts); generateAnswer is not served.
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-2.5-flash:generateAnswer`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'Hi' }] }] }),
    })
    expect(response.status).toBe(501)
    expect(await response.json()).toMatchObject({ error: { code: 501, status: 'UNIMPLEMENTED' } })
    expect(gemini.requests).toHaveLength(0)
  })

  test('GET /v1beta/models lists the models in Gemini shape', async () => {
    const response = await fetch(`${gateway.url}/v1beta/models`, { headers: { 'x-goog-api-key': key } })
    const list = (await response.json()) as { models: Array<{ name: string }> }
    expect(list.models.map((model) => model.name)).toContain('models/gemini-2.5-flash')
  })
})

describe('OpenAI clients on a Gemini channel (converted)', () => {
  test('non-stream with tools: a Gemini body goes out; the function call comes back as an OpenAI tool call', async () => {
    const completion = await chat.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weather.parametersJsonSchema } }],
      max_tokens: 200,
    })
    expect(gemini.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
    expect(gemini.requests[0]?.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
      tools: [{ functionDeclarations: [weather] }],
      generationConfig: { maxOutputTokens: 200 },
    })
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.tool_calls?.map((call) => call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['get_weather', { location: 'Paris, France', unit: 'celsius' }],
    ])
    expect(completion.usage).toMatchObject({ prompt_tokens: 74, completion_tokens: 90, completion_tokens_details: { reasoning_tokens: 68 } })
  })

  test('stream: the converted chunks spell the recorded text and end with usage', async () => {
    const stream = await chat.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined | null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      usage = chunk.usage ?? usage
    }
    expect(gemini.requests[0]).toMatchObject({ action: 'streamGenerateContent', query: { alt: 'sse' } })
    expect(text).toBe(fixtureText('gemini-text.chunks.txt'))
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 38 + 26 })
  })
})

describe('Gemini clients on an OpenAI channel (converted)', () => {
  test('non-stream: a Chat body goes out; the answer comes back as a GenerateContentResponse', async () => {
    const response = await google.models.generateContent({ model: 'gpt-4o-mini', contents: 'Capital of France?', config: { maxOutputTokens: 100 } })
    expect(openai.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      max_completion_tokens: 100,
    })
    const fixture = loadFixture<{ choices: Array<{ message: { content: string } }> }>('openai', 'openai-chat-text.json')
    expect(answerText(response)).toBe(fixture.choices[0]!.message.content)
    expect(response.candidates?.[0]?.finishReason).toBe('STOP' as never)
  })

  test('stream with a function call: the SDK sees the whole call', async () => {
    const calls: unknown[] = []
    const stream = await google.models.generateContentStream({
      model: 'gpt-4o-mini',
      contents: 'Weather in Paris?',
      config: { tools: [{ functionDeclarations: [weather] }] },
    })
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []))
    expect(calls).toMatchObject([{ name: 'get_weather', args: { location: 'Paris, France', unit: 'celsius' } }])
  })
})

describe('Gemini through the hub to Gemini (reasoning suffix)', () => {
  test('gemini-2.5-flash-thinking: the suffix asks for thoughts; thoughts come back as thought parts', async () => {
    const response = await google.models.generateContent({ model: 'gemini-2.5-flash-thinking', contents: 'Sum of the first ten primes?' })
    expect(gemini.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent')
    expect(gemini.requests[0]?.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Sum of the first ten primes?' }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: -1, includeThoughts: true } },
    })
    const parts = response.candidates?.[0]?.content?.parts ?? []
    expect(parts.map((part) => Boolean(part.thought))).toEqual([true, false])
  })
})
