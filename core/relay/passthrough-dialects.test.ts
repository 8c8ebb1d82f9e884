import { describe, expect, test } from 'bun:test'
import type { DialectCodec } from '@hanggent/plugin-sdk'
import type { GeminiUsageMetadata } from '../../schemas/gemini-generate.ts'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { claudeMessagesDialect } from '../../plugins/claude/claude-dialect.ts'
import { claudeSse } from '../../plugins/claude/claude-test-support.ts'
import { convertGeminiUsage } from '../../plugins/gemini/convert-gemini-usage.ts'
import { geminiGenerateDialect } from '../../plugins/gemini/gemini-dialect.ts'
import { geminiSse } from '../../plugins/gemini/gemini-test-support.ts'
import { responsesSse } from '../../plugins/openai/openai-hub-test-support.ts'
import { openAIResponsesDialect } from '../../plugins/openai/openai-responses-dialect.ts'
import { bothRoles } from '../plugin/registry.ts'
import { passthroughTap } from './hub-tap.ts'
import { passthroughPath } from './response-path.ts'

// What the relay learns from a passthrough answer in each chat dialect, read through the dialect's own
// decoders (these were the tests of the Anthropic, Gemini and Responses stream taps and output-text
// readers, which the decoders replaced): usage, output text, tool calls, the end, errors, and malformed
// events refused.

type Json = Record<string, unknown>
type Usage = { output_tokens: number; output_tokens_details: { reasoning_tokens: number } }

/** How the relay watches a passthrough Messages stream: through the dialect's own push decoder. */
const claudeTap = () => passthroughTap(bothRoles(claudeMessagesDialect), { now: () => 1_748_736_000_000, newId: (prefix) => `${prefix}test` })

describe('Anthropic Messages passthrough stream, watched through the decoder', () => {
  test.each([
    ['claude-text.chunks.txt', { inputTokens: 18, cacheReadTokens: 2048, cacheWriteTokens: 0, outputTokens: 13 }, 0],
    ['claude-tool-use.chunks.txt', { inputTokens: 27, cacheReadTokens: 0, cacheWriteTokens: 1562, outputTokens: 89 }, 1],
    ['claude-thinking.chunks.txt', { inputTokens: 46, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 87 }, 0],
  ])('%s: usage, output text, tool calls and the end', (name, usage, toolCalls) => {
    const tap = claudeTap()
    for (const event of claudeSse(name)) expect(tap.onEvent(event)).toBe(true)
    const result = tap.result()
    expect(result).toMatchObject({ usage, toolCalls, completed: true })
    expect(result.error).toBeUndefined()
    const recorded = loadChunks<{ delta?: { text?: string; thinking?: string; partial_json?: string } }>('claude', name)
    expect(result.outputText).toContain(recorded.map((event) => event.delta?.text ?? '').join(''))
    expect(result.outputText).toContain(recorded.map((event) => event.delta?.thinking ?? '').join(''))
  })

  test('a stream cut before message_stop is not completed but keeps the input usage', () => {
    const tap = claudeTap()
    for (const event of claudeSse('claude-text.chunks.txt').slice(0, 4)) tap.onEvent(event)
    expect(tap.result()).toMatchObject({ completed: false, usage: { inputTokens: 18, cacheReadTokens: 2048, outputTokens: 1 } })
  })

  test('an error event is recorded; malformed data is refused', () => {
    const tap = claudeTap()
    expect(tap.onEvent({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' })).toBe(true)
    expect(tap.result().error).toEqual({ message: 'Overloaded', code: 'overloaded_error' })
    const malformed = claudeTap()
    expect(malformed.onEvent({ event: 'content_block_delta', data: '{"type":' })).toBe(false)
    expect(malformed.result().error?.code).toBe('bad_upstream_response')
  })
})

/** How the relay watches a passthrough Gemini stream: through the dialect's own push decoder. */
const geminiTap = () => passthroughTap(bothRoles(geminiGenerateDialect), { now: () => 1_748_736_000_000, newId: (prefix) => `${prefix}test` })

describe('Gemini passthrough stream, watched through the decoder', () => {
  test.each([
    ['gemini-text.chunks.txt', 0, 'The capital of France is **Paris**.'],
    ['gemini-thinking.chunks.txt', 0, '**Listing the Primes**'],
    ['gemini-function-call.chunks.txt', 1, 'get_weather{"location":"Paris, France","unit":"celsius"}'],
  ])('%s: last usage wins, text and calls counted, completed at the finishReason', (name, toolCalls, text) => {
    const events = geminiSse(name)
    const cut = geminiTap()
    events.slice(0, -1).forEach((event) => expect(cut.onEvent(event)).toBe(true))
    expect(cut.result().completed).toBe(false)
    const tap = geminiTap()
    events.forEach((event) => expect(tap.onEvent(event)).toBe(true))
    const result = tap.result()
    const last = JSON.parse(events.at(-1)!.data) as { usageMetadata: GeminiUsageMetadata }
    expect(result.usage).toEqual(convertGeminiUsage(last.usageMetadata))
    expect(result.outputText).toContain(text)
    expect(result.toolCalls).toBe(toolCalls)
    expect(result).toMatchObject({ completed: true, error: undefined })
  })

  test('a malformed chunk is refused; an error chunk is remembered; a blocked prompt completes the answer', () => {
    const tap = geminiTap()
    expect(tap.onEvent({ data: '{"candidates": [' })).toBe(false)
    expect(tap.result().error).toEqual({ message: 'Upstream sent a malformed stream chunk', code: 'bad_upstream_response' })
    const failing = geminiTap()
    expect(failing.onEvent({ data: JSON.stringify(loadFixture('gemini', 'gemini-error-503.json')) })).toBe(true)
    expect(failing.result().error).toEqual({ message: 'The model is overloaded. Please try again later.', code: 'upstream_error' })
    const blocked = geminiTap()
    blocked.onEvent({ data: JSON.stringify(loadFixture('gemini', 'gemini-safety-blocked.json')) })
    expect(blocked.result()).toMatchObject({ completed: true, outputText: '', usage: { inputTokens: 17, outputTokens: 0 } })
  })
})

/** How the relay watches a passthrough Responses stream: through the dialect's own push decoder. */
const responsesTap = () => passthroughTap(bothRoles(openAIResponsesDialect), { now: () => 1_748_736_000_000, newId: (prefix) => `${prefix}test` })

describe('Responses passthrough stream, watched through the decoder', () => {
  test.each(['openai-responses-text', 'openai-responses-function-call', 'openai-responses-reasoning'])(
    '%s: usage from response.completed, text and calls seen, every event passed',
    (name) => {
      const tap = responsesTap()
      const events = responsesSse(`${name}.chunks.txt`)
      expect(events.every((event) => tap.onEvent(event))).toBe(true)
      const recorded = loadChunks<{ type: string; delta?: string; item?: { type: string; name?: string } }>('openai', `${name}.chunks.txt`)
      const completed = recorded.at(-1) as unknown as { response: { usage: Usage } }
      const result = tap.result()
      expect(result.completed).toBe(true)
      expect(result.error).toBeUndefined()
      expect(result.usage).toMatchObject({
        outputTokens: completed.response.usage.output_tokens,
        reasoningTokens: completed.response.usage.output_tokens_details.reasoning_tokens,
      })
      const calls = recorded.filter((event) => event.type === 'response.output_item.added' && event.item?.type === 'function_call')
      expect(result.toolCalls).toBe(calls.length)
      const spelled = recorded
        .map((event) => (event.type === 'response.output_item.added' ? (event.item?.name ?? '') : event.type.endsWith('.delta') ? (event.delta ?? '') : ''))
        .join('')
      expect(result.outputText).toBe(spelled)
    },
  )

  test('a stream cut before response.completed is not complete', () => {
    const tap = responsesTap()
    for (const event of responsesSse('openai-responses-text.chunks.txt').slice(0, -1)) tap.onEvent(event)
    expect(tap.result()).toMatchObject({ completed: false, usage: undefined })
  })

  test('error events and failed responses are reported; a malformed event is refused', () => {
    const tap = responsesTap()
    expect(tap.onEvent({ event: 'error', data: '{"type":"error","code":"server_error","message":"Boom","param":null,"sequence_number":4}' })).toBe(true)
    expect(tap.result().error).toEqual({ message: 'Boom', code: 'server_error' })
    const failed = responsesTap()
    failed.onEvent({
      event: 'response.failed',
      data: JSON.stringify({
        type: 'response.failed',
        sequence_number: 9,
        response: { ...loadFixture<Json>('openai', 'openai-responses-text.json'), status: 'failed', error: { code: 'server_error', message: 'Model crashed' } },
      }),
    })
    expect(failed.result()).toMatchObject({ completed: true, error: { message: 'Model crashed', code: 'server_error' }, usage: { outputTokens: 20 } })
    expect(responsesTap().onEvent({ event: 'response.output_text.delta', data: '{"type":' })).toBe(false)
  })
})

/** A passthrough answer without its usage member, as the relay reads it: what it would bill by counting. */
function countedAnswer(dialect: DialectCodec, body: Json) {
  const { [dialect.usageMember!]: _usage, ...withoutUsage } = body
  const text = JSON.stringify(withoutUsage)
  const env = { now: () => 1_748_736_000_000, newId: (prefix: string) => `${prefix}test` }
  return passthroughPath(bothRoles(dialect), undefined).answer({ text, response: new Response(text) }, env)
}

describe('a complete passthrough answer without usage is counted through the dialect decoder', () => {
  test('Anthropic: text and the tool call (name and input)', () => {
    const { usage, observed } = countedAnswer(claudeMessagesDialect, loadFixture<Json>('claude', 'claude-tool-use.json'))
    expect(usage).toBeUndefined()
    expect(observed).toEqual({
      outputText: 'I\'ll check the current weather in Paris for you.get_weather{"location":"Paris, France","unit":"celsius"}',
      toolCalls: 1,
    })
  })

  test('Gemini: thoughts, text and function calls', () => {
    expect(countedAnswer(geminiGenerateDialect, loadFixture<Json>('gemini', 'gemini-thinking.json')).observed.outputText).toContain(
      '**Summing the First Ten Primes**',
    )
    expect(countedAnswer(geminiGenerateDialect, loadFixture<Json>('gemini', 'gemini-function-call.json')).observed).toEqual({
      outputText: 'get_weather{"location":"Paris, France","unit":"celsius"}',
      toolCalls: 1,
    })
  })

  test('Responses: the reasoning summary and the message text', () => {
    const fixture = loadFixture<{ output: Array<{ summary: Array<{ text: string }> } & { content: Array<{ text: string }> }> }>(
      'openai',
      'openai-responses-reasoning.json',
    )
    const { observed } = countedAnswer(openAIResponsesDialect, fixture as unknown as Json)
    expect(observed.outputText).toContain(fixture.output[0]!.summary[0]!.text)
    expect(observed.outputText).toContain(fixture.output[1]!.content[0]!.text)
  })
})
