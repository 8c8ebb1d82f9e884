import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { GatewayError, recordMember } from '@hanggent/plugin-sdk'
import { createModelLookup, findManifestProblem } from '@hanggent/plugin-sdk'
import { validateBody } from '../../core/relay/validate-body.ts'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { validBody } from '../../tests/support/valid-body.ts'
import { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import claudePlugin from './index.ts'
import { buildClaudeRequest, claudeMessagesUrl } from './claude-transport.ts'
import { claudeMessagesDialect as dialect } from './claude-dialect.ts'
import { convertClaudeUsage, toClaudeUsage } from './convert-claude-usage.ts'
import { mapClaudeStopReason, toClaudeStopReason } from './map-claude-stop-reason.ts'
import { claudeSse, PNG_BASE64 } from './claude-test-support.ts'

/** The usage the relay bills a passthrough answer from: the upstream role's decodeUsage on the answer's usage member. */
const answerUsage = (body: unknown) => {
  const member = recordMember(body, dialect.usageMember ?? '')
  return member ? dialect.decodeUsage?.(member) : undefined
}

type Json = Record<string, unknown>

const channel = (settings: Json = {}, baseUrl = 'https://api.anthropic.com') => ({
  id: 1,
  type: 'claude',
  baseUrl,
  key: 'sk-ant-upstream',
  settings,
  config: { azureDefaultApiVersion: '2025-04-01-preview' },
})
const inbound = (headers: Record<string, string>) => ({ headers: new Headers(headers), url: new URL('http://gateway/v1/messages'), params: {} })

describe('plugin manifest', () => {
  test('is a valid plugin serving the claude channel type and the claude.messages dialect', () => {
    expect(findManifestProblem(claudePlugin)).toBeUndefined()
    expect(claudePlugin.channelTypes.map((type) => type.id)).toEqual(['claude'])
    expect(claudePlugin.channelTypes[0]).toMatchObject({ label: 'Anthropic Claude', defaultBaseUrl: 'https://api.anthropic.com' })
    expect(claudePlugin.dialects.map((codec) => [codec.dialect, 'routes' in codec ? codec.routes : undefined])).toEqual([
      ['claude.messages', [{ method: 'POST', path: '/v1/messages' }]],
    ])
  })

  test('settings accept the version, beta headers and extra headers, and nothing else', () => {
    const settings = claudePlugin.channelTypes[0]!.settings
    expect(Value.Check(settings, { anthropicVersion: '2023-06-01', betaHeaders: ['context-1m-2025-08-07'], headers: { 'x-team': 'a' } })).toBe(true)
    expect(Value.Check(settings, { anthropic_version: '2023-06-01' })).toBe(false)
    expect(Value.Check(settings, { betaHeaders: 'context-1m-2025-08-07' })).toBe(false)
  })

  test('every model has a price', () => {
    const prices = createModelLookup(claudePlugin.pricing)
    for (const model of claudePlugin.models) expect(prices.find(model.id)).toBeDefined()
  })
})

describe('pricing', () => {
  const prices = createModelLookup(claudePlugin.pricing)
  test.each([
    ['claude-opus-4-5-20251101', 5, 25, 6.25, 0.5],
    ['claude-opus-4-1-20250805', 15, 75, 18.75, 1.5],
    ['claude-opus-4-20250514', 15, 75, 18.75, 1.5],
    ['claude-opus-4-0', 15, 75, 18.75, 1.5],
    ['claude-sonnet-4-5-20250929', 3, 15, 3.75, 0.3],
    ['claude-sonnet-4-20250514', 3, 15, 3.75, 0.3],
    ['claude-3-7-sonnet-20250219', 3, 15, 3.75, 0.3],
    ['claude-3-5-sonnet-20241022', 3, 15, 3.75, 0.3],
    ['claude-haiku-4-5-20251001', 1, 5, 1.25, 0.1],
    ['claude-3-5-haiku-20241022', 0.8, 4, 1, 0.08],
    // Anthropic lists Haiku 3's cache prices as 0.30 / 0.03, not exactly 1.25× / 0.1× of 0.25.
    ['claude-3-haiku-20240307', 0.25, 1.25, 0.3, 0.03],
  ])('%s: %d in / %d out / %d cache write / %d cache read', (model, input, output, cacheWrite, cacheRead) => {
    expect(prices.find(model)).toEqual({
      inputPerMTok: input,
      outputPerMTok: output,
      cacheWritePerMTok: cacheWrite,
      cacheWrite1hPerMTok: input * 2,
      cacheReadPerMTok: cacheRead,
    })
  })

  test('cache writes are the 5-minute tier (1.25× input) and reads 0.1× input', () => {
    for (const [key, price] of Object.entries(claudePlugin.pricing)) {
      if (key.startsWith('claude-3-haiku')) continue
      expect(price.cacheWritePerMTok).toBeCloseTo((price.inputPerMTok ?? 0) * 1.25, 10)
      expect(price.cacheReadPerMTok).toBeCloseTo((price.inputPerMTok ?? 0) * 0.1, 10)
    }
  })
})

describe('transport', () => {
  test.each([
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/', 'https://api.anthropic.com/v1/messages'],
    ['https://proxy.example.com/anthropic/v1', 'https://proxy.example.com/anthropic/v1/messages'],
    ['https://proxy.example.com/anthropic', 'https://proxy.example.com/anthropic/v1/messages'],
  ])('%s → %s', (base, expected) => {
    expect(claudeMessagesUrl(base)).toBe(expected)
  })

  test('sends the key in x-api-key with the default version and the body as given', () => {
    const request = buildClaudeRequest({
      channel: channel(),
      dialect: 'claude.messages',
      endpoint: 'chat',
      model: 'claude-sonnet-4-5',
      stream: false,
      body: { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [] },
    })
    expect(request).toEqual({
      url: 'https://api.anthropic.com/v1/messages',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-upstream', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [] }),
    })
  })

  test('the version, beta features and extra headers come from the channel settings; streams accept SSE', () => {
    const request = buildClaudeRequest({
      channel: channel({
        anthropicVersion: '2024-01-01',
        betaHeaders: ['interleaved-thinking-2025-05-14', ' context-1m-2025-08-07 '],
        headers: { 'X-Team': 'search' },
      }),
      dialect: 'claude.messages',
      endpoint: 'chat',
      model: 'm',
      stream: true,
      body: {},
    })
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-upstream',
      'anthropic-version': '2024-01-01',
      accept: 'text/event-stream',
      'anthropic-beta': 'interleaved-thinking-2025-05-14,context-1m-2025-08-07',
      'x-team': 'search',
    })
  })

  test('only the chat endpoint exists', () => {
    expect(() => buildClaudeRequest({ channel: channel(), dialect: 'claude.messages', endpoint: 'embeddings', model: 'm', stream: false, body: {} })).toThrow(
      'no path for endpoint "embeddings"',
    )
  })
})

describe('dialect', () => {
  const body = validBody(ClaudeMessagesRequest, { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'hi' }] })

  test('keys come from x-api-key, else Authorization: Bearer', () => {
    expect(dialect.readKey(inbound({ 'x-api-key': 'sk-abc', authorization: 'Bearer sk-other' }))).toBe('sk-abc')
    expect(dialect.readKey(inbound({ authorization: 'Bearer sk-def' }))).toBe('sk-def')
    expect(dialect.readKey(inbound({}))).toBeUndefined()
  })

  test('model, stream and max_tokens are read from the body; the upstream body only gets the mapped model', () => {
    expect(dialect.readModel(body, inbound({}))).toBe('claude-sonnet-4-5')
    expect(dialect.readStream(body, inbound({}))).toBe(true)
    expect(dialect.readMaxOutputTokens(body)).toBe(1024)
    expect(dialect.prepareUpstreamBody(body, 'claude-sonnet-4-5-20250929', true)).toEqual({ body: { ...body, model: 'claude-sonnet-4-5-20250929' } })
  })

  test('the request schema requires max_tokens and accepts unknown fields and block types', () => {
    expect(() => validateBody(dialect.requestSchema, { model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toThrow(
      "Missing required parameter: 'max_tokens'.",
    )
    expect(() =>
      validateBody(dialect.requestSchema, {
        ...body,
        service_tier: 'auto',
        messages: [{ role: 'user', content: [{ type: 'search_result', source: 'x', title: 't', content: [] }] }],
      }),
    ).not.toThrow()
    expect(() => validateBody(dialect.requestSchema, { ...body, messages: [{ role: 'system', content: 'hi' }] })).toThrow()
  })

  test('the prompt estimate counts system, texts, tool calls and results, tools, and fixed image costs', () => {
    const tools = [{ name: 'lookup', input_schema: { type: 'object' } }]
    const estimate = dialect.estimatePrompt(
      validBody(ClaudeMessagesRequest, {
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'A pixel.' }] }] },
        ],
        tools,
      }),
    )
    expect(estimate.texts).toEqual(['Be brief.', 'What is this?', 'lookup', '{"q":"x"}', 'A pixel.', JSON.stringify(tools)])
    // 3 messages × 3 + one image at 1600 + the 346-token tool-use system prompt
    expect(estimate.fixedTokens).toBe(9 + 1600 + 346)
  })

  test('usage is read from a complete answer', () => {
    const fixture = loadFixture<{ usage: Json }>('claude', 'claude-tool-use.json')
    expect(answerUsage(fixture)).toMatchObject({ inputTokens: 421, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 79 })
    expect(answerUsage({ type: 'error' })).toBeUndefined()
  })

  test("Anthropic SDK requests get the model list in Anthropic's shape", () => {
    expect(dialect.modelList?.matches(inbound({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }))).toBe(true)
    expect(dialect.modelList?.matches(inbound({ authorization: 'Bearer k' }))).toBe(false)
    expect(dialect.modelList?.render(['claude-sonnet-4-5', 'claude-haiku-4-5'])).toEqual({
      data: [
        { type: 'model', id: 'claude-sonnet-4-5', display_name: 'claude-sonnet-4-5', created_at: '2024-01-01T00:00:00Z' },
        { type: 'model', id: 'claude-haiku-4-5', display_name: 'claude-haiku-4-5', created_at: '2024-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'claude-sonnet-4-5',
      last_id: 'claude-haiku-4-5',
    })
  })
})

describe('errors', () => {
  test.each([
    [400, 'invalid_request', 'invalid_request_error'],
    [401, 'invalid_api_key', 'authentication_error'],
    [403, 'insufficient_quota', 'permission_error'],
    [404, 'model_not_found', 'not_found_error'],
    [413, 'request_too_large', 'request_too_large'],
    [429, 'rate_limited', 'rate_limit_error'],
    [500, 'internal_error', 'api_error'],
    [501, 'not_implemented', 'api_error'],
    [502, 'bad_upstream_response', 'api_error'],
    [503, 'no_available_channel', 'overloaded_error'],
    [529, 'upstream_error', 'overloaded_error'],
  ] as const)('%d %s renders as %s', (status, code, type) => {
    expect(dialect.renderError(new GatewayError(status, code, 'Something happened'))).toEqual({
      status,
      body: { type: 'error', error: { type, message: 'Something happened' } },
    })
  })

  test('a stream error is one `event: error` with the same JSON', () => {
    expect(dialect.renderStreamError(new GatewayError(529, 'upstream_error', 'Overloaded'))).toEqual([
      { event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
    ])
  })

  test.each([
    ['claude-error-400.json', 400],
    ['claude-error-401.json', 401],
    ['claude-error-429.json', 429],
    ['claude-error-529-overloaded.json', 529],
  ])('upstream %s is read as message and type', (name, status) => {
    const fixture = loadFixture<{ error: { type: string; message: string } }>('claude', name)
    expect(dialect.readUpstreamError(status, JSON.stringify(fixture))).toEqual({ message: fixture.error.message, code: fixture.error.type })
  })

  test('other upstream bodies: OpenAI shape, plain text, empty', () => {
    expect(dialect.readUpstreamError(429, '{"error":{"message":"slow down","code":"rate_limit_exceeded"}}')).toEqual({
      message: 'slow down',
      code: 'rate_limit_exceeded',
    })
    expect(dialect.readUpstreamError(502, '<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' })
    expect(dialect.readUpstreamError(500, '')).toEqual({ message: 'upstream answered HTTP 500' })
  })
})

describe('usage', () => {
  test('input, cache reads and cache writes are separate counts, never subtracted', () => {
    const raw = { input_tokens: 18, cache_creation_input_tokens: 100, cache_read_input_tokens: 2048, output_tokens: 13 }
    expect(convertClaudeUsage(raw)).toEqual({ inputTokens: 18, cacheReadTokens: 2048, cacheWriteTokens: 100, outputTokens: 13, reasoningTokens: 0, raw })
    expect(toClaudeUsage(convertClaudeUsage(raw))).toEqual(raw)
  })

  test('missing or null counters are zero; thinking tokens are read when reported', () => {
    expect(convertClaudeUsage({ input_tokens: 5, output_tokens: null })).toMatchObject({
      inputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
    })
    expect(convertClaudeUsage({ input_tokens: 5, output_tokens: 100, output_tokens_details: { thinking_tokens: 60 } }).reasoningTokens).toBe(60)
  })
})

describe('stop reasons', () => {
  test.each([
    ['end_turn', 'stop', 'end_turn'],
    ['stop_sequence', 'stop', 'end_turn'],
    ['max_tokens', 'length', 'max_tokens'],
    ['model_context_window_exceeded', 'length', 'max_tokens'],
    ['tool_use', 'tool-calls', 'tool_use'],
    ['refusal', 'content-filter', 'refusal'],
    ['pause_turn', 'other', 'end_turn'],
    ['something_new', 'other', 'end_turn'],
    [null, 'other', 'end_turn'],
  ] as const)('%s → %s → %s', (claude, hubReason, back) => {
    expect(mapClaudeStopReason(claude)).toBe(hubReason)
    expect(toClaudeStopReason(hubReason)).toBe(back)
  })

  test('a raw Anthropic reason that means the same is kept on the way back; error maps to end_turn', () => {
    expect(toClaudeStopReason('stop', 'stop_sequence')).toBe('stop_sequence')
    expect(toClaudeStopReason('other', 'pause_turn')).toBe('pause_turn')
    expect(toClaudeStopReason('stop', 'tool_use')).toBe('end_turn')
    expect(toClaudeStopReason('stop', 'toString')).toBe('end_turn')
    expect(toClaudeStopReason('error')).toBe('end_turn')
  })
})
