import { describe, expect, test } from 'bun:test'
import { loadPlugins } from '../../core/plugin/loader.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import type { ChatHubCodec, ConversionEnv } from '../../core/plugin/define-plugin.ts'
import type { SseEvent } from '../../core/stream/sse.ts'
import { loadChunks, loadFixture } from '../support/fixtures.ts'

// Issue 17, conversion fidelity across dialects: recorded upstream shapes replayed through the hub and
// re-encoded for every client dialect, checked on what a client reads.

const registry = createRegistry(await loadPlugins([]))

/** The hub codec of a dialect the stock plugins ship. */
function hubOf(dialect: string): ChatHubCodec {
  const hub = registry.dialect(dialect)?.hub
  if (!hub) throw new Error(`no hub codec for ${dialect}`)
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

  test('a complete Gemini answer without modelVersion: Chat, Claude and Responses clients read the call\'s model', () => {
    const result = hubOf('gemini.generate').decodeResult(withoutModelVersion(loadFixture('gemini', 'gemini-text.json')), env(geminiModel))
    const chat = hubOf('openai.chat').encodeResult(result, env()) as { model: string }
    const claude = hubOf('claude.messages').encodeResult(result, env()) as { model: string }
    const responses = hubOf('openai.responses').encodeResult(result, env()) as { model: string }
    expect([chat.model, claude.model, responses.model]).toEqual([geminiModel, geminiModel, geminiModel])
  })

  test('a Gemini stream without modelVersion: every chunk, message_start and response.created/completed name the call\'s model', async () => {
    const sse = loadChunks('gemini', 'gemini-text.chunks.txt').map((chunk) => ({ data: JSON.stringify(withoutModelVersion(chunk)) }))
    const decode = () => hubOf('gemini.generate').decodeStream(streamOf(sse), env(geminiModel))
    const chat = payloads(await collect(hubOf('openai.chat').encodeStream(decode(), env())))
    expect(chat.length).toBeGreaterThan(1)
    for (const chunk of chat) expect(chunk.model).toBe(geminiModel)
    const claude = payloads(await collect(hubOf('claude.messages').encodeStream(decode(), env())))
    const start = claude.find((event) => event.type === 'message_start') as { message: { model: string } }
    expect(start.message.model).toBe(geminiModel)
    const responses = payloads(await collect(hubOf('openai.responses').encodeStream(decode(), env())))
    const named = responses.filter((event) => event.type === 'response.created' || event.type === 'response.completed') as Array<{ response: { model: string } }>
    expect(named.map((event) => event.response.model)).toEqual([geminiModel, geminiModel])
  })

  test('the model the upstream names still wins over the call\'s', () => {
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
