import { describe, expect, test } from 'bun:test'
import { loadPlugins } from '../../core/plugin/loader.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { ChatHubCodec, ConversionEnv } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { loadChunks, loadFixture } from '../support/fixtures.ts'

// Issue 17, conversion fidelity across dialects: recorded upstream shapes replayed through the hub and
// re-encoded for every client dialect, checked on what a client reads.

const registry = createRegistry(await loadPlugins([]))

/** The hub codec of a dialect the stock plugins ship. */
function hubOf(dialect: string): ChatHubCodec {
  const hub = registry.plugins.flatMap((plugin) => plugin.dialects).find((entry) => entry.dialect === dialect)?.hub
  if (!hub || !('encodeResult' in hub) || !('decodeResult' in hub)) throw new Error(`no hub codec with both sides for ${dialect}`)
  return hub
}

/** A pinned clock and counting ids, with the model the call named upstream when given. */
function env(model?: string): ConversionEnv {
  let counter = 0
  return { now: () => 1_749_988_800_000, newId: (prefix) => `${prefix}${++counter}`, ...(model ? { model } : {}) }
}

async function* streamOf<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

/** The JSON payloads of SSE events (`[DONE]` and non-JSON data skipped). */
function payloads(events: SseEvent[]): Array<Record<string, unknown>> {
  return events.flatMap((event) => {
    try {
      return [JSON.parse(event.data) as Record<string, unknown>]
    } catch {
      return []
    }
  })
}

/** A Gemini answer as Google sends it when it leaves `modelVersion` out. */
function withoutModelVersion<T extends Record<string, unknown>>(response: T): T {
  const { modelVersion: _omitted, ...rest } = response
  return rest as T
}

describe('empty model names fall back to the model the call used (item 2)', () => {
  const geminiModel = 'gemini-2.5-flash'

  test("a complete Gemini answer without modelVersion: Chat, Claude and Responses clients read the call's model", () => {
    const result = hubOf('gemini.generate').decodeResult(withoutModelVersion(loadFixture('gemini', 'gemini-text.json')), env(geminiModel))
    const chat = hubOf('openai.chat').encodeResult(result, env()) as { model: string }
    const claude = hubOf('claude.messages').encodeResult(result, env()) as { model: string }
    const responses = hubOf('openai.responses').encodeResult(result, env()) as { model: string }
    expect([chat.model, claude.model, responses.model]).toEqual([geminiModel, geminiModel, geminiModel])
  })

  test("a Gemini stream without modelVersion: every chunk, message_start and response.created/completed name the call's model", async () => {
    const sse = loadChunks('gemini', 'gemini-text.chunks.txt').map((chunk) => ({ data: JSON.stringify(withoutModelVersion(chunk)) }))
    const decode = () => hubOf('gemini.generate').decodeStream(streamOf(sse), env(geminiModel))
    const chat = payloads(await collect(hubOf('openai.chat').encodeStream(decode(), env())))
    expect(chat.length).toBeGreaterThan(1)
    for (const chunk of chat) expect(chunk.model).toBe(geminiModel)
    const claude = payloads(await collect(hubOf('claude.messages').encodeStream(decode(), env())))
    const start = claude.find((event) => event.type === 'message_start') as { message: { model: string } }
    expect(start.message.model).toBe(geminiModel)
    const responses = payloads(await collect(hubOf('openai.responses').encodeStream(decode(), env())))
    const named = responses.filter((event) => event.type === 'response.created' || event.type === 'response.completed') as Array<{
      response: { model: string }
    }>
    expect(named.map((event) => event.response.model)).toEqual([geminiModel, geminiModel])
  })

  test("the model the upstream names still wins over the call's", () => {
    const fixture = loadFixture<{ modelVersion: string }>('gemini', 'gemini-text.json')
    expect(hubOf('gemini.generate').decodeResult(fixture, env('alias-the-client-used')).model).toBe(fixture.modelVersion)
  })

  test.each([
    ['openai.chat', 'openai', 'openai-chat-text.json', 'model'],
    ['openai.responses', 'openai', 'openai-responses-text.json', 'model'],
    ['claude.messages', 'claude', 'claude-text.json', 'model'],
  ])('%s answers without a model name also fall back', (dialect, plugin, fixture, member) => {
    const body = { ...loadFixture(plugin, fixture), [member]: '' }
    expect(hubOf(dialect).decodeResult(body, env('the-call-model')).model).toBe('the-call-model')
  })
})

describe('strict tools only when asked or when the schema satisfies strict mode (item 4)', () => {
  const inbound = { headers: new Headers(), url: new URL('http://gateway/v1/responses'), params: {} }
  const open = { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] }
  const closed = {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' } }, required: ['day'], additionalProperties: false } },
    },
    required: ['city', 'days'],
    additionalProperties: false,
  }
  const nestedOpen = {
    ...closed,
    properties: { ...closed.properties, days: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' } } } } },
  }

  /** The Chat body a Responses client's tools become on a Chat upstream. */
  function chatToolsFor(tools: Array<Record<string, unknown>>): { tools: Array<{ function: Record<string, unknown> }>; warnings: string[] } {
    const decoded = hubOf('openai.responses').decodeRequest({ model: 'gpt-4.1', input: 'Weather?', tools }, inbound)
    const encoded = hubOf('openai.chat').encodeRequest(decoded.value)
    return { tools: encoded.value.tools as Array<{ function: Record<string, unknown> }>, warnings: [...decoded.warnings, ...encoded.warnings] }
  }

  test('Responses → Chat: a schema with an optional property and no strict is sent without strict, and a warning says so', () => {
    const { tools, warnings } = chatToolsFor([{ type: 'function', name: 'weather', parameters: open }])
    expect(tools[0]!.function).not.toHaveProperty('strict')
    expect(warnings).toEqual([
      'tool "weather": sent without strict (the Responses default) because its schema does not satisfy strict mode (every property required, additionalProperties false)',
    ])
  })

  test('Responses → Chat: a nested object without additionalProperties:false is not strict either', () => {
    expect(chatToolsFor([{ type: 'function', name: 'weather', parameters: nestedOpen }]).tools[0]!.function).not.toHaveProperty('strict')
  })

  test('Responses → Chat: a schema that satisfies strict mode keeps the Responses default, strict: true, silently', () => {
    const { tools, warnings } = chatToolsFor([{ type: 'function', name: 'weather', parameters: closed }])
    expect(tools[0]!.function.strict).toBe(true)
    expect(warnings).toEqual([])
  })

  test('Responses → Chat: what the client said is kept (strict: true even on an open schema, strict: false)', () => {
    const { tools } = chatToolsFor([
      { type: 'function', name: 'a', parameters: open, strict: true },
      { type: 'function', name: 'b', parameters: closed, strict: false },
    ])
    expect(tools.map((tool) => tool.function.strict)).toEqual([true, false])
  })

  test("Chat → Responses: a Chat tool without strict (Chat's default is not strict) is sent with strict: false, not the Responses default", () => {
    const decoded = hubOf('openai.chat').decodeRequest(
      { model: 'gpt-4.1', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'weather', parameters: open } }] },
      inbound,
    )
    const body = hubOf('openai.responses').encodeRequest(decoded.value).value as { tools: Array<Record<string, unknown>> }
    expect(body.tools[0]).toMatchObject({ type: 'function', name: 'weather', strict: false })
  })
})

describe('reasoning signatures go back only to the provider that signed them (item 1)', () => {
  const claudeInbound = { headers: new Headers(), url: new URL('http://gateway/v1/messages'), params: {} }
  const geminiInbound = {
    headers: new Headers(),
    url: new URL('http://gateway/v1beta/models/gemini-2.5-flash:generateContent'),
    params: { modelAction: 'gemini-2.5-flash:generateContent' },
  }
  const claudeAnswer = loadFixture<{ content: Array<Record<string, unknown>> }>('claude', 'claude-thinking.json')
  const anthropicSignature = String(claudeAnswer.content.find((block) => block.type === 'thinking')!.signature)
  const geminiCall = loadFixture<{ candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }> }>('gemini', 'gemini-function-call.json')
  const googleSignature = String(geminiCall.candidates[0]!.content.parts.find((part) => part.thoughtSignature)!.thoughtSignature)

  /** A Claude client's history: question, the recorded thinking answer (signed by Anthropic), a follow-up. */
  const claudeHistory = () =>
    hubOf('claude.messages').decodeRequest(
      {
        model: 'gemini-2.5-flash',
        max_tokens: 1024,
        messages: [
          { role: 'user', content: 'Capital of France?' },
          { role: 'assistant', content: claudeAnswer.content },
          { role: 'user', content: 'And of Italy?' },
        ],
      },
      claudeInbound,
    )

  /** A Gemini client's history: question, the recorded function-call answer (signed by Google), its result. */
  const geminiHistory = () =>
    hubOf('gemini.generate').decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          geminiCall.candidates[0]!.content,
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'Sunny' } } }] },
        ],
      },
      geminiInbound,
    )

  test('Claude client → Gemini: the Anthropic-signed thinking is not sent (no thought part, no thoughtSignature), and a warning says so', () => {
    const encoded = hubOf('gemini.generate').encodeRequest(claudeHistory().value)
    const text = JSON.stringify(encoded.value)
    expect(text).not.toContain(anthropicSignature)
    expect(text).not.toContain('"thought":true')
    const model = (encoded.value.contents as Array<{ role: string; parts: unknown[] }>)[1]
    expect(model).toEqual({ role: 'model', parts: [{ text: 'The capital of France is Paris.' }] })
    expect(encoded.warnings).toContain('messages[1]: reasoning signed by anthropic cannot be verified by google and was dropped (text and signature)')
  })

  test('Claude client → Claude (through the hub): the thinking block and its signature go back unchanged', () => {
    const encoded = hubOf('claude.messages').encodeRequest(claudeHistory().value)
    const assistant = (encoded.value.messages as Array<{ content: Array<Record<string, unknown>> }>)[1]!
    expect(assistant.content[0]).toEqual(claudeAnswer.content[0])
    expect(encoded.warnings).toEqual([])
  })

  test('Claude client → OpenAI Chat and Responses: the thinking is dropped with a warning', () => {
    for (const dialect of ['openai.chat', 'openai.responses']) {
      const encoded = hubOf(dialect).encodeRequest(claudeHistory().value)
      expect(JSON.stringify(encoded.value)).not.toContain(anthropicSignature)
      expect(encoded.warnings.length).toBeGreaterThan(0)
    }
  })

  test('Gemini client → Claude: the Google-signed call turn is sent without a thinking block, and a warning says so', () => {
    const encoded = hubOf('claude.messages').encodeRequest({ ...geminiHistory().value, model: 'claude-sonnet-4-5' })
    const text = JSON.stringify(encoded.value)
    expect(text).not.toContain(googleSignature)
    expect(text).not.toContain('"thinking"')
    expect(encoded.warnings).toContain('messages[1]: reasoning signed by google cannot be verified by anthropic and was dropped (text and signature)')
  })

  test('Gemini client → Gemini (through the hub): the thought signature stays on its function call', () => {
    const encoded = hubOf('gemini.generate').encodeRequest(geminiHistory().value)
    const parts = (encoded.value.contents as Array<{ parts: Array<Record<string, unknown>> }>)[1]!.parts
    expect(parts.find((part) => part.functionCall)?.thoughtSignature).toBe(googleSignature)
  })

  test('answers are tagged with who signed them, complete and streamed, so the next turn can tell', async () => {
    const claudeResult = hubOf('claude.messages').decodeResult(claudeAnswer, env())
    expect(claudeResult.choices[0]!.content[0]).toMatchObject({ type: 'reasoning', signature: anthropicSignature, signatureOrigin: 'anthropic' })
    const claudeStream = await collect(
      hubOf('claude.messages').decodeStream(
        streamOf(loadChunks('claude', 'claude-thinking.chunks.txt').map((chunk) => ({ event: String(chunk.type), data: JSON.stringify(chunk) }))),
        env(),
      ),
    )
    expect(
      claudeStream
        .filter((event) => event.type === 'reasoning-delta' && event.signature)
        .map((event) => event.type === 'reasoning-delta' && event.signatureOrigin),
    ).toEqual(['anthropic'])
    const geminiStream = await collect(
      hubOf('gemini.generate').decodeStream(
        streamOf(loadChunks('gemini', 'gemini-function-call.chunks.txt').map((chunk) => ({ data: JSON.stringify(chunk) }))),
        env(),
      ),
    )
    const signed = geminiStream.filter((event) => event.type === 'reasoning-delta' && event.signature)
    expect(signed.length).toBeGreaterThan(0)
    for (const event of signed) expect(event).toMatchObject({ signatureOrigin: 'google' })
  })

  test("a Claude upstream's signed answer, replayed as history to a Gemini upstream, is dropped there", () => {
    const answer = hubOf('claude.messages').decodeResult(claudeAnswer, env())
    const encoded = hubOf('gemini.generate').encodeRequest({
      model: 'gemini-2.5-flash',
      stream: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
        { role: 'assistant', content: answer.choices[0]!.content },
      ],
    })
    expect(JSON.stringify(encoded.value)).not.toContain(anthropicSignature)
  })
})

describe('Responses as the upstream: encrypted reasoning round-trips for OpenAI only (item 3)', () => {
  const claudeInbound = { headers: new Headers(), url: new URL('http://gateway/v1/messages'), params: {} }
  const geminiInbound = {
    headers: new Headers(),
    url: new URL('http://gateway/v1beta/models/o3-pro:generateContent'),
    params: { modelAction: 'o3-pro:generateContent' },
  }
  const recorded = loadFixture<{ output: Array<Record<string, unknown>> }>('openai', 'openai-responses-reasoning-encrypted.json')
  const item = recorded.output.find((entry) => entry.type === 'reasoning') as { id: string; encrypted_content: string; summary: Array<{ text: string }> }
  const summary = item.summary.map((part) => part.text).join('\n\n')
  const streamed = loadChunks('openai', 'openai-responses-reasoning-encrypted.chunks.txt')
  const streamedItem = streamed.find((event) => event.type === 'response.output_item.done' && (event.item as { type: string }).type === 'reasoning')!.item as {
    id: string
    encrypted_content: string
  }

  /** The Responses input items a hub request becomes. */
  const responsesInput = (request: Parameters<ChatHubCodec['encodeRequest']>[0]) => hubOf('openai.responses').encodeRequest(request)

  test("Claude client: the answer's thinking block carries OpenAI's item, wrapped; sent back, it reaches Responses as the original reasoning item", () => {
    const message = hubOf('claude.messages').encodeResult(hubOf('openai.responses').decodeResult(recorded, env('o3-pro')), env()) as {
      content: Array<Record<string, unknown>>
    }
    const thinking = message.content[0]!
    expect(thinking).toEqual({ type: 'thinking', thinking: summary, signature: `gw1~openai~${item.id}:${item.encrypted_content}` })
    const next = hubOf('claude.messages').decodeRequest(
      {
        model: 'o3-pro',
        max_tokens: 1024,
        messages: [
          { role: 'user', content: 'Capital of France?' },
          { role: 'assistant', content: message.content },
          { role: 'user', content: 'And Italy?' },
        ],
      },
      claudeInbound,
    )
    const encoded = responsesInput(next.value)
    expect((encoded.value.input as unknown[])[1]).toEqual({
      type: 'reasoning',
      id: item.id,
      summary: [{ type: 'summary_text', text: summary }],
      encrypted_content: item.encrypted_content,
    })
    expect(encoded.warnings).toEqual([])
  })

  test('Claude client, streamed: the signature_delta holds the wrapped item from output_item.done', async () => {
    const events = hubOf('openai.responses').decodeStream(
      streamOf(streamed.map((event) => ({ event: String(event.type), data: JSON.stringify(event) }))),
      env(),
    )
    const claude = payloads(await collect(hubOf('claude.messages').encodeStream(events, env())))
    const signatures = claude
      .filter((event) => (event.delta as { type?: string } | undefined)?.type === 'signature_delta')
      .map((event) => (event.delta as { signature: string }).signature)
    expect(signatures).toEqual([`gw1~openai~${streamedItem.id}:${streamedItem.encrypted_content}`])
  })

  test("Gemini client: the thought signature carries OpenAI's item, wrapped; sent back, it reaches Responses as the reasoning item", () => {
    const response = hubOf('gemini.generate').encodeResult(hubOf('openai.responses').decodeResult(recorded, env('o3-pro')), env()) as {
      candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }>
    }
    const parts = response.candidates[0]!.content.parts
    expect(parts[0]).toMatchObject({ text: summary, thought: true, thoughtSignature: `gw1~openai~${item.id}:${item.encrypted_content}` })
    const next = hubOf('gemini.generate').decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'Capital of France?' }] },
          { role: 'model', parts },
          { role: 'user', parts: [{ text: 'And Italy?' }] },
        ],
      },
      geminiInbound,
    )
    const input = responsesInput({ ...next.value, model: 'o3-pro' }).value.input as Array<Record<string, unknown>>
    expect(input.find((entry) => entry.type === 'reasoning')).toEqual({
      type: 'reasoning',
      id: item.id,
      summary: [{ type: 'summary_text', text: summary }],
      encrypted_content: item.encrypted_content,
    })
  })

  test("OpenAI's reasoning never reaches Gemini or Anthropic: dropped with the signature warning", () => {
    const answer = hubOf('openai.responses').decodeResult(recorded, env('o3-pro')).choices[0]!.content
    const history = {
      model: 'x',
      stream: false,
      messages: [
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'Capital of France?' }] },
        { role: 'assistant' as const, content: answer },
      ],
    }
    const gemini = hubOf('gemini.generate').encodeRequest(history)
    const claude = hubOf('claude.messages').encodeRequest(history)
    for (const encoded of [gemini, claude]) expect(JSON.stringify(encoded.value)).not.toContain(item.encrypted_content)
    expect(gemini.warnings).toContain('messages[1]: reasoning signed by openai cannot be verified by google and was dropped (text and signature)')
    expect(claude.warnings).toContain('messages[1]: reasoning signed by openai cannot be verified by anthropic and was dropped (text and signature)')
  })

  test('a reasoning request to Responses asks for the encrypted content, so the next turn can carry it back', () => {
    const decoded = hubOf('claude.messages').decodeRequest(
      { model: 'o3-pro', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Hi' }] },
      claudeInbound,
    )
    expect(responsesInput(decoded.value).value.include).toEqual(['reasoning.encrypted_content'])
    const plain = hubOf('claude.messages').decodeRequest({ model: 'o3-pro', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] }, claudeInbound)
    expect(responsesInput(plain.value).value).not.toHaveProperty('include')
  })

  test("Gemini upstream → Claude client → Gemini: Google's signature goes back to Gemini, and never to Anthropic", () => {
    const geminiCall = loadFixture('gemini', 'gemini-function-call.json')
    const signature = String(
      (geminiCall as { candidates: Array<{ content: { parts: Array<{ thoughtSignature?: string }> } }> }).candidates[0]!.content.parts.find(
        (part) => part.thoughtSignature,
      )!.thoughtSignature,
    )
    const message = hubOf('claude.messages').encodeResult(hubOf('gemini.generate').decodeResult(geminiCall, env()), env()) as {
      content: Array<Record<string, unknown>>
    }
    const toolUse = message.content.find((block) => block.type === 'tool_use')!
    const next = hubOf('claude.messages').decodeRequest(
      {
        model: 'gemini-2.5-flash',
        max_tokens: 1024,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: message.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: String(toolUse.id), content: 'Sunny' }] },
        ],
      },
      claudeInbound,
    )
    const toGemini = hubOf('gemini.generate').encodeRequest(next.value).value.contents as Array<{ parts: Array<Record<string, unknown>> }>
    expect(toGemini[1]!.parts.find((part) => part.functionCall)?.thoughtSignature).toBe(signature)
    const toClaude = hubOf('claude.messages').encodeRequest({ ...next.value, model: 'claude-sonnet-4-5' })
    expect(JSON.stringify(toClaude.value)).not.toContain(signature)
  })
})

describe('signatures and Claude thinking (item 1, tool turns)', () => {
  test('Gemini-signed history with a function call, to Claude with thinking on: thinking is turned off for the call (its signed thinking is gone), with both warnings', () => {
    const inbound = {
      headers: new Headers(),
      url: new URL('http://gateway/v1beta/models/claude-sonnet-4-5:generateContent'),
      params: { modelAction: 'claude-sonnet-4-5:generateContent' },
    }
    const call = loadFixture<{ candidates: Array<{ content: Record<string, unknown> }> }>('gemini', 'gemini-function-call.json').candidates[0]!.content
    const decoded = hubOf('gemini.generate').decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          call,
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'Sunny' } } }] },
        ],
        generationConfig: { thinkingConfig: { thinkingBudget: 2048 } },
      },
      inbound,
    )
    const encoded = hubOf('claude.messages').encodeRequest({ ...decoded.value, model: 'claude-sonnet-4-5' })
    expect(encoded.value).not.toHaveProperty('thinking')
    expect(encoded.warnings).toContain('messages[1]: reasoning signed by google cannot be verified by anthropic and was dropped (text and signature)')
    expect(encoded.warnings).toContain(
      'thinking was turned off for this call: the last assistant turn calls tools without the signed thinking Anthropic requires before them',
    )
  })
})

describe('Responses as the upstream for Chat, Claude and Gemini clients (item 3, recorded streams)', () => {
  const recorded = loadChunks('openai', 'openai-responses-function-call.chunks.txt')
  const final = recorded.at(-1)!.response as {
    output: Array<{ call_id: string; name: string; arguments: string }>
    usage: { input_tokens: number; output_tokens: number }
  }
  const call = final.output[0]!
  const decode = () =>
    hubOf('openai.responses').decodeStream(streamOf(recorded.map((event) => ({ event: String(event.type), data: JSON.stringify(event) }))), env('o3-pro'))

  test('Chat client: one tool call assembled from the argument deltas, finish tool_calls, usage', async () => {
    const chunks = payloads(await collect(hubOf('openai.chat').encodeStream(decode(), env()))) as Array<{
      choices: Array<{ delta: { tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }> }; finish_reason: string | null }>
      usage?: { prompt_tokens: number; completion_tokens: number }
    }>
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []))
    expect(deltas.map((delta) => delta.function?.arguments ?? '').join('')).toBe(call.arguments)
    expect(deltas[0]).toMatchObject({ id: call.call_id, function: { name: call.name } })
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['tool_calls'])
    expect(chunks.find((chunk) => chunk.usage)?.usage).toMatchObject({ prompt_tokens: final.usage.input_tokens, completion_tokens: final.usage.output_tokens })
  })

  test('Claude client: a tool_use block with the whole input, stop_reason tool_use', async () => {
    const events = payloads(await collect(hubOf('claude.messages').encodeStream(decode(), env())))
    const start = events.find((event) => (event.content_block as { type?: string } | undefined)?.type === 'tool_use')!.content_block as {
      id: string
      name: string
    }
    const input = events
      .filter((event) => (event.delta as { type?: string } | undefined)?.type === 'input_json_delta')
      .map((event) => (event.delta as { partial_json: string }).partial_json)
      .join('')
    expect({ id: start.id, name: start.name, input: JSON.parse(input) }).toEqual({ id: call.call_id, name: call.name, input: JSON.parse(call.arguments) })
    expect(events.find((event) => event.type === 'message_delta')).toMatchObject({ delta: { stop_reason: 'tool_use' } })
  })

  test('Gemini client: one functionCall part with the parsed arguments, prompt tokens in usageMetadata', async () => {
    const chunks = payloads(await collect(hubOf('gemini.generate').encodeStream(decode(), env()))) as Array<{
      candidates?: Array<{ content: { parts?: Array<{ functionCall?: { id?: string; name: string; args: unknown } }> } }>
      usageMetadata?: { promptTokenCount: number }
    }>
    const calls = chunks.flatMap((chunk) => chunk.candidates?.flatMap((candidate) => candidate.content.parts ?? []) ?? []).filter((part) => part.functionCall)
    expect(calls.map((part) => part.functionCall)).toEqual([{ id: call.call_id, name: call.name, args: JSON.parse(call.arguments) }])
    expect(chunks.at(-1)?.usageMetadata?.promptTokenCount).toBe(final.usage.input_tokens)
  })
})
