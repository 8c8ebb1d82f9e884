import { describe, expect, test } from 'bun:test'
import type { HubPart, HubResult } from '@hanggent/plugin-sdk'
import { loadFixture } from '../../tests/support/fixtures.ts'
import type { ClaudeMessage } from './claude-api.ts'
import { claudeMessagesHub as hub } from './claude-hub.ts'
import { mapClaudeStopReason } from './map-claude-stop-reason.ts'
import { testEnv, TEST_NOW } from './claude-test-support.ts'

const fixtures = ['claude-text.json', 'claude-tool-use.json', 'claude-thinking.json']

/** The hub parts a recorded message's blocks stand for. */
function expectedParts(message: ClaudeMessage): HubPart[] {
  return message.content.map((block): HubPart => {
    if (block.type === 'text') return { type: 'text', text: String(block.text) }
    if (block.type === 'thinking') return { type: 'reasoning', text: String(block.thinking), signature: String(block.signature), signatureOrigin: 'anthropic' }
    if (block.type === 'tool_use') return { type: 'tool-call', id: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input) }
    throw new Error(`unexpected block ${block.type}`)
  })
}

describe('decodeResult replays the recorded answers', () => {
  test.each(fixtures)('%s', (name) => {
    const fixture = loadFixture<ClaudeMessage>('claude', name)
    const result = hub.decodeResult(fixture, testEnv())
    expect(result).toEqual({
      id: fixture.id,
      model: fixture.model,
      created: TEST_NOW / 1000,
      choices: [{ index: 0, content: expectedParts(fixture), finishReason: mapClaudeStopReason(fixture.stop_reason), rawFinishReason: fixture.stop_reason! }],
      usage: {
        inputTokens: fixture.usage.input_tokens!,
        cacheReadTokens: fixture.usage.cache_read_input_tokens!,
        cacheWriteTokens: fixture.usage.cache_creation_input_tokens!,
        outputTokens: fixture.usage.output_tokens!,
        reasoningTokens: 0,
        raw: fixture.usage,
      },
    })
  })

  test('the tool-use answer: text, then the call with its input as JSON text, finishing for tool calls', () => {
    const result = hub.decodeResult(loadFixture('claude', 'claude-tool-use.json'), testEnv())
    expect(result.choices[0]?.finishReason).toBe('tool-calls')
    const call = result.choices[0]?.content[1] as Extract<HubPart, { type: 'tool-call' }>
    expect(JSON.parse(call.arguments)).toEqual({ location: 'Paris, France', unit: 'celsius' })
  })

  test('redacted thinking keeps its data as the signature; server tool blocks do not cross', () => {
    const body = {
      ...loadFixture('claude', 'claude-text.json'),
      content: [
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
        { type: 'text', text: 'Done.' },
      ],
      stop_reason: 'pause_turn',
    }
    expect(hub.decodeResult(body, testEnv()).choices[0]).toEqual({
      index: 0,
      content: [
        { type: 'reasoning', text: '', signature: 'opaque', redacted: true, signatureOrigin: 'anthropic' },
        { type: 'text', text: 'Done.' },
      ],
      finishReason: 'other',
      rawFinishReason: 'pause_turn',
    })
  })

  test('an error body or a body without content is a bad upstream answer', () => {
    expect(() => hub.decodeResult(loadFixture('claude', 'claude-error-529-overloaded.json'), testEnv())).toThrow('Overloaded')
    expect(() => hub.decodeResult({ id: 'msg_1' }, testEnv())).toThrow('Upstream answered without a message')
  })
})

describe('encodeResult', () => {
  const result: HubResult = {
    id: 'chatcmpl-abc',
    model: 'gpt-4o',
    created: 1_750_000_000,
    choices: [
      {
        index: 0,
        content: [
          { type: 'reasoning', text: 'Paris, surely.' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        ],
        finishReason: 'tool-calls',
      },
    ],
    usage: { inputTokens: 100, cacheReadTokens: 1024, cacheWriteTokens: 10, outputTokens: 50, reasoningTokens: 20 },
  }

  test('the message object exactly as Anthropic shapes it; a foreign id is replaced', () => {
    expect(hub.encodeResult(result, testEnv())).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'thinking', thinking: 'Paris, surely.', signature: '' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 100, cache_creation_input_tokens: 10, cache_read_input_tokens: 1024, output_tokens: 50 },
    })
  })

  test('a msg_ id is kept; a raw Anthropic reason that means the same is kept; only the first choice is sent', () => {
    const encoded = hub.encodeResult(
      {
        ...result,
        id: 'msg_keep',
        choices: [
          { index: 0, content: [{ type: 'text', text: 'a' }], finishReason: 'stop', rawFinishReason: 'stop_sequence' },
          { index: 1, content: [{ type: 'text', text: 'b' }], finishReason: 'stop' },
        ],
      },
      testEnv(),
    ) as ClaudeMessage
    expect(encoded.id).toBe('msg_keep')
    expect(encoded.stop_reason).toBe('stop_sequence')
    expect(encoded.content).toEqual([{ type: 'text', text: 'a' }])
  })

  test('without usage, every counter is zero', () => {
    const { usage: _usage, ...withoutUsage } = result
    expect((hub.encodeResult(withoutUsage, testEnv()) as ClaudeMessage).usage).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 0,
    })
  })

  test.each(fixtures)('decodeResult(encodeResult(x)) keeps %s', (name) => {
    const decoded = hub.decodeResult(loadFixture('claude', name), testEnv())
    const again = hub.decodeResult(hub.encodeResult(decoded, testEnv()), testEnv())
    expect({ ...again, usage: { ...again.usage, raw: undefined } }).toEqual({ ...decoded, usage: { ...decoded.usage!, raw: undefined } })
  })
})
