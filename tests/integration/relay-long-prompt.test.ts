import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'

// A prompt with a long string (over DEFERRED_STRING_MIN_BYTES) is parsed with that string left in the request's bytes
// (core/relay/deferred-strings.ts): whatever the call does with the prompt, it must be the client's text.

/** ~40 KB of text with escapes, quotes and non-ASCII characters, as clients send long prompts. */
const LONG = Array.from({ length: 400 }, (_, line) => `Line ${line}: "quoted" text — café, 😀, tab\there, back\\slash.\n`).join('')

describe('a chat call with a long prompt', () => {
  let gateway: TestGateway
  let openai: FakeOpenAI
  let anthropic: FakeAnthropic
  let key: string
  let poorKey: string
  let tokenId: number
  let poorTokenId: number

  beforeAll(async () => {
    openai = await startFakeOpenAI()
    anthropic = await startFakeAnthropic()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: openai.url, models: ['gpt-4o-mini'] })
    await gateway.createChannel({
      name: 'mapped',
      type: 'openai',
      key: 'sk-up',
      baseUrl: openai.url,
      models: ['gpt-4o'],
      modelMapping: { 'gpt-4o': 'gpt-4o-2024-11-20' },
    })
    await gateway.createChannel({ name: 'claude', type: 'claude', key: 'sk-ant', baseUrl: anthropic.url, models: ['claude-sonnet-4-5'] })
    const userId = await gateway.createUser({ username: 'long-prompts', quota: 10_000_000_000 })
    ;({ id: tokenId, key } = await gateway.createToken({ userId, quota: 5_000_000_000 }))
    // Far from rich for a 40 KB prompt: its reservation counts the prompt's tokens exactly.
    ;({ id: poorTokenId, key: poorKey } = await gateway.createToken({ userId, quota: 200_000 }))
  })
  afterAll(async () => {
    await gateway.stop()
    await openai.stop()
    await anthropic.stop()
  })

  const chat = (body: string, token = key) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })
  const request = (model: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: LONG },
      ],
      max_tokens: 16,
      ...extra,
    })

  test('passes through as the bytes the client sent (stream_options added in front for a stream)', async () => {
    const body = request('gpt-4o-mini')
    expect((await chat(body)).status).toBe(200)
    expect(openai.requests.at(-1)!.rawBody).toBe(body)
    const streamed = request('gpt-4o-mini', { stream: true })
    const response = await chat(streamed)
    expect(response.status).toBe(200)
    await response.text()
    expect(openai.requests.at(-1)!.rawBody).toBe(`{"stream_options":{"include_usage":true},${streamed.slice(1)}`)
  })

  test('a mapped model sends the prompt re-serialised with its text, and a conversion carries the text', async () => {
    expect((await chat(request('gpt-4o'))).status).toBe(200)
    const mapped = openai.requests.at(-1)!.body as { model: string; messages: Array<{ content: string }> }
    expect(mapped.model).toBe('gpt-4o-2024-11-20')
    expect(mapped.messages[1]!.content).toBe(LONG)
    const converted = await chat(request('claude-sonnet-4-5'))
    expect(converted.status).toBe(200)
    const sent = anthropic.requests.at(-1)!.body as { system?: unknown; messages: Array<{ content: unknown }> }
    expect(JSON.stringify(sent.messages)).toContain(JSON.stringify(LONG))
  })

  test('the prompt counted for billing is the text, for a rich payer (at settlement) and a poor one (at admission)', async () => {
    // Framing: 3 tokens per message and 3 to prime the reply (estimate-openai-prompt.ts).
    const expected = 3 * 2 + 3 + (await gateway.context.tokenCounter.count('gpt-4o-mini', ['Be brief.', LONG]))
    for (const [token, id] of [
      [key, tokenId],
      [poorKey, poorTokenId],
    ] as const) {
      // A stream without its usage chunk: the gateway counts the prompt itself.
      openai.queue({ kind: 'no-usage' })
      const response = await chat(request('gpt-4o-mini', { stream: true }), token)
      expect(response.status).toBe(200)
      await response.text()
      const [row] = await gateway.logs({ type: 'consume', tokenId: id })
      expect(row).toMatchObject({ promptTokens: expected })
    }
  })

  test("a long string that is not valid JSON is refused as the full parse refused it, in OpenAI's shape", async () => {
    const before = openai.requests.length
    const response = await chat(request('gpt-4o-mini').replace('tab\\there', 'tab\there'))
    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_json')
    expect(openai.requests.length).toBe(before)
  })
})
