import { describe, expect, test } from 'bun:test'
import type { ConversionEnv, DialectCodec, HubStreamDecoder, SseEvent } from '@hanggent/plugin-sdk'
import { loadChunks } from '../../tests/support/fixtures.ts'
import { openAIChatDialect } from '../../plugins/openai/openai-dialects.ts'
import { claudeMessagesDialect } from '../../plugins/claude/claude-dialect.ts'
import { claudeSse } from '../../plugins/claude/claude-test-support.ts'
import { bothRoles } from '../plugin/registry.ts'
import { passthroughTap } from './hub-tap.ts'

// Passthrough streams are watched through the dialect's own push decoder (contract 1.3): one parse of
// the events that matter to billing, output counted from the others only when the usage is missing.

const env: ConversionEnv = { now: () => 1_748_736_000_000, newId: (prefix) => `${prefix}test` }

/** The recorded OpenAI stream as its SSE events, `[DONE]` last; `withoutUsage` drops the include_usage chunk. */
function openAISse(name: string, withoutUsage = false): SseEvent[] {
  const chunks = loadChunks<{ usage?: unknown }>('openai', name).filter((chunk) => !withoutUsage || !chunk.usage)
  return [...chunks.map((chunk) => ({ data: JSON.stringify(chunk) })), { data: '[DONE]' }]
}

/** The OpenAI chat dialect with its push decoder counting the events it is given. */
function countingDialect(): { dialect: DialectCodec; pushed: SseEvent[] } {
  const pushed: SseEvent[] = []
  const hub = openAIChatDialect.hub!
  const dialect: DialectCodec = {
    ...openAIChatDialect,
    hub: {
      ...hub,
      createStreamDecoder(decoderEnv): HubStreamDecoder {
        const inner = hub.createStreamDecoder!(decoderEnv)
        return {
          get done() {
            return inner.done
          },
          push: (event) => (pushed.push(event), inner.push(event)),
          end: () => inner.end(),
          canDefer: inner.canDefer?.bind(inner),
        }
      },
    },
  }
  return { dialect, pushed }
}

describe('passthrough stream watched through the push decoder', () => {
  test('an OpenAI stream that reports usage is billed from it, decoding only the usage chunk', () => {
    const { dialect, pushed } = countingDialect()
    const tap = passthroughTap(bothRoles(dialect), env)
    const events = openAISse('openai-chat-tool-call.chunks.txt')
    for (const event of events) expect(tap.onEvent(event)).toBe(true)
    const result = tap.result()
    expect(result).toMatchObject({ usage: { inputTokens: 82 }, completed: true, error: undefined })
    // Of 14 chunks and [DONE], only the usage chunk and [DONE] reach the decoder; the rest wait undecoded.
    expect(pushed.map((event) => event.data.includes('"usage":{') || event.data === '[DONE]')).toEqual(pushed.map(() => true))
    expect(pushed.length).toBe(2)
  })

  test('without usage, the deferred chunks are decoded in order and their text and tool calls counted', () => {
    const tap = passthroughTap(bothRoles(openAIChatDialect), env)
    for (const event of openAISse('openai-chat-tool-call.chunks.txt', true)) expect(tap.onEvent(event)).toBe(true)
    const result = tap.result()
    expect(result.usage).toBeUndefined()
    expect(result.toolCalls).toBe(1)
    expect(result.outputText).toStartWith('get_weather{')
    expect(result.completed).toBe(true)
  })

  test('a chunk that is not JSON is refused; one cut before [DONE] is not complete', () => {
    expect(passthroughTap(bothRoles(openAIChatDialect), env).onEvent({ data: '{"choices":[' })).toBe(false)
    const cut = passthroughTap(bothRoles(openAIChatDialect), env)
    for (const event of openAISse('openai-chat-text.chunks.txt').slice(0, -1)) cut.onEvent(event)
    expect(cut.result()).toMatchObject({ completed: false, usage: { inputTokens: 24, outputTokens: 15 } })
  })

  test('an Anthropic stream cut after message_delta is billed its full usage (held by the decoder until the end) but is not complete', () => {
    const events = claudeSse('claude-text.chunks.txt')
    const tap = passthroughTap(bothRoles(claudeMessagesDialect), env)
    for (const event of events.filter((event) => event.event !== 'message_stop')) tap.onEvent(event)
    expect(tap.result()).toMatchObject({ completed: false, usage: { inputTokens: 18, cacheReadTokens: 2048, outputTokens: 13 } })
  })
})

describe('dialects without a push decoder (contract 1.2 and older)', () => {
  test("a 1.x dialect's own stream tap is still used", () => {
    const seen: string[] = []
    const { createStreamDecoder: _dropped, ...hub } = openAIChatDialect.hub!
    const legacy: DialectCodec = {
      ...openAIChatDialect,
      hub,
      createStreamTap: () => ({
        onEvent: (event) => (seen.push(event.data), true),
        result: () => ({ usage: undefined, outputText: 'from the tap', toolCalls: 0, completed: true }),
      }),
    }
    const tap = passthroughTap(bothRoles(legacy), env)
    tap.onEvent({ data: '{"choices":[]}' })
    expect(seen).toEqual(['{"choices":[]}'])
    expect(tap.result().outputText).toBe('from the tap')
  })

  test('a dialect with neither (it never streams) is watched by nothing and ends complete', () => {
    const { hub: _hub, ...plain } = openAIChatDialect
    const tap = passthroughTap(bothRoles(plain), env)
    expect(tap.onEvent({ data: 'anything' })).toBe(true)
    expect(tap.result()).toEqual({ outputText: '', toolCalls: 0, completed: true })
  })
})
