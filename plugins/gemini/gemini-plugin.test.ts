import { describe, expect, test } from 'bun:test'
import { GatewayError, recordMember } from '@hanggent/plugin-sdk'
import { priceUsage } from '../../core/billing/price-usage.ts'
import { createModelLookup, findManifestProblem } from '@hanggent/plugin-sdk'
import type { GeminiUsageMetadata } from '../../schemas/gemini-generate.ts'
import { loadFixture } from '../../tests/support/fixtures.ts'
import plugin from './index.ts'
import { convertGeminiUsage, toGeminiUsageMetadata } from './convert-gemini-usage.ts'
import { estimateGeminiPrompt } from './estimate-gemini-prompt.ts'
import { geminiGenerateDialect as dialect } from './gemini-dialect.ts'
import { readGeminiUpstreamError } from './gemini-errors.ts'
import { buildGeminiRequest, geminiEndpointUrl } from './gemini-transport.ts'
import { mapGeminiFinishReason, toGeminiFinishReason } from './map-gemini-finish-reason.ts'
import { geminiSse, inboundRequest, PNG_BASE64 } from './gemini-test-support.ts'

/** The usage the relay bills a passthrough answer from: the upstream role's decodeUsage on the answer's usage member. */
const answerUsage = (body: unknown) => {
  const member = recordMember(body, dialect.usageMember ?? '')
  return member ? dialect.decodeUsage?.(member) : undefined
}

type Json = Record<string, unknown>

describe('the plugin manifest', () => {
  test('passes the loader checks and declares the gemini channel type and dialect', () => {
    expect(findManifestProblem(plugin)).toBeUndefined()
    expect(plugin.channelTypes.map((type) => [type.id, type.label, type.defaultBaseUrl, type.transport.nativeDialects])).toEqual([
      ['gemini', 'Google Gemini', 'https://generativelanguage.googleapis.com', ['gemini.generate', 'gemini.embed', 'gemini.imagen']],
    ])
    expect(plugin.dialects.map((codec) => [codec.dialect, codec.endpoint, 'routes' in codec ? codec.routes : undefined])).toEqual([
      [
        'gemini.generate',
        'chat',
        [
          { method: 'POST', path: '/v1beta/models/:modelAction' },
          { method: 'POST', path: '/v1/models/:modelAction' },
        ],
      ],
      // embedContent and batchEmbedContents, reached through the generate routes (core/relay/gemini-side-actions.ts).
      ['gemini.embed', 'embeddings', []],
    ])
    expect(plugin.channelTypes[0]?.settings.additionalProperties).toBe(false)
  })

  test.each([
    ['gemini-2.5-pro', { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 }],
    ['gemini-2.5-flash-preview-05-20', { inputPerMTok: 0.3, outputPerMTok: 2.5, cacheReadPerMTok: 0.03 }],
    ['gemini-2.5-flash-lite-preview-06-17', { inputPerMTok: 0.1, outputPerMTok: 0.4, cacheReadPerMTok: 0.01 }],
    ['gemini-2.0-flash-001', { inputPerMTok: 0.1, outputPerMTok: 0.4, cacheReadPerMTok: 0.025 }],
    ['gemini-2.0-flash-lite', { inputPerMTok: 0.075, outputPerMTok: 0.3 }],
    ['gemini-embedding-001', { inputPerMTok: 0.15 }],
    ['text-embedding-004', { inputPerMTok: 0.15 }],
  ])('list price of %s (versioned ids by the longest prefix)', (model, price) => {
    expect(createModelLookup(plugin.pricing).find(model)).toEqual(price)
  })

  test('every listed model has a price', () => {
    const prices = createModelLookup(plugin.pricing)
    expect(plugin.models.filter((model) => !prices.find(model.id)).map((model) => model.id)).toEqual([])
  })
})

describe('Gemini transport', () => {
  test.each([
    ['https://generativelanguage.googleapis.com', false, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent'],
    [
      'https://generativelanguage.googleapis.com/',
      true,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    ],
    ['https://proxy.example.com/google/v1beta', false, 'https://proxy.example.com/google/v1beta/models/gemini-2.5-flash:generateContent'],
    ['https://proxy.example.com/google/v1beta/', true, 'https://proxy.example.com/google/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
    ['https://proxy.example.com/v1', false, 'https://proxy.example.com/v1/models/gemini-2.5-flash:generateContent'],
  ])('%s (stream %s) → %s', (base, stream, expected) => {
    expect(geminiEndpointUrl(base, 'gemini-2.5-flash', stream)).toBe(expected)
  })

  test('the apiVersion setting applies when the base names no version; a models/ prefix is not doubled', () => {
    expect(geminiEndpointUrl('https://generativelanguage.googleapis.com', 'models/gemini-2.5-pro', false, 'v1')).toBe(
      'https://generativelanguage.googleapis.com/v1/models/gemini-2.5-pro:generateContent',
    )
  })

  const call = (stream: boolean, settings: Json = {}) =>
    buildGeminiRequest({
      channel: {
        config: { azureDefaultApiVersion: '2025-04-01-preview' },
        id: 7,
        type: 'gemini',
        baseUrl: 'https://generativelanguage.googleapis.com',
        key: 'AIza-upstream',
        settings,
      },
      dialect: 'gemini.generate',
      endpoint: 'chat',
      model: 'gemini-2.5-flash',
      stream,
      body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    })

  test('sends the key in x-goog-api-key (never in the URL), the body unchanged, extra headers', () => {
    const request = call(false, { headers: { 'X-Goog-User-Project': 'billing-project' } })
    expect(request).toEqual({
      url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-upstream', 'x-goog-user-project': 'billing-project' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    })
  })

  test('streams ask for SSE', () => {
    const request = call(true, { apiVersion: 'v1alpha' })
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1alpha/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(request.headers.accept).toBe('text/event-stream')
  })

  test('embeddings go to :embedContent, or :batchEmbedContents for a body with requests', () => {
    const call = (body: Record<string, unknown>) =>
      buildGeminiRequest({
        channel: { config: { azureDefaultApiVersion: '2025-04-01-preview' }, id: 1, type: 'gemini', baseUrl: 'https://g.example', key: 'k', settings: {} },
        dialect: 'gemini.embed',
        endpoint: 'embeddings',
        model: 'gemini-embedding-001',
        stream: false,
        body,
      })
    expect(call({ content: { parts: [{ text: 'a' }] } })).toMatchObject({
      url: 'https://g.example/v1beta/models/gemini-embedding-001:embedContent',
      headers: { 'x-goog-api-key': 'k' },
    })
    expect(call({ requests: [] }).url).toBe('https://g.example/v1beta/models/gemini-embedding-001:batchEmbedContents')
  })

  test('only chat and embeddings have a Gemini method', () => {
    expect(() =>
      buildGeminiRequest({
        channel: { config: { azureDefaultApiVersion: '2025-04-01-preview' }, id: 1, type: 'gemini', baseUrl: 'x', key: 'k', settings: {} },
        dialect: 'gemini.generate',
        endpoint: 'rerank',
        model: 'm',
        stream: false,
        body: {},
      }),
    ).toThrow('no method for endpoint "rerank"')
  })
})

describe('the gemini.generate dialect', () => {
  const body = { contents: [{ role: 'user' as const, parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 500, candidateCount: 2 } }

  test.each([
    ['gemini-2.5-pro:generateContent', 'gemini-2.5-pro', false],
    ['gemini-2.5-flash:streamGenerateContent', 'gemini-2.5-flash', true],
    ['gemini-2.5-flash-preview-05-20%3AstreamGenerateContent', 'gemini-2.5-flash-preview-05-20', true],
  ])('%s → model %s, stream %s', (modelAction, model, stream) => {
    const request = inboundRequest(modelAction, { query: stream ? '?alt=sse' : '' })
    expect(dialect.readModel(body, request)).toBe(model)
    expect(dialect.readStream(body, request)).toBe(stream)
  })

  test('other methods are refused clearly, by the route check that runs before the body is validated', () => {
    expect(() => dialect.checkRoute?.(inboundRequest('gemini-2.5-flash:countTokens'))).toThrow(
      expect.objectContaining({ status: 501, code: 'not_implemented' }),
    )
    expect(() => dialect.checkRoute?.(inboundRequest('gemini-2.5-flash'))).toThrow(expect.objectContaining({ status: 404 }))
    expect(dialect.checkRoute?.(inboundRequest('gemini-2.5-flash:generateContent'))).toBeUndefined()
    expect(() => dialect.readModel(body, inboundRequest('gemini-2.5-flash:countTokens'))).toThrow(
      expect.objectContaining({ status: 501, code: 'not_implemented' }),
    )
    expect(() => dialect.readModel(body, inboundRequest('gemini-2.5-flash'))).toThrow(expect.objectContaining({ status: 404 }))
  })

  test('keys come from ?key=, x-goog-api-key or Authorization: Bearer', () => {
    expect(dialect.readKey(inboundRequest('m:generateContent', { query: '?key=sk-query' }))).toBe('sk-query')
    expect(dialect.readKey(inboundRequest('m:generateContent', { headers: { 'x-goog-api-key': 'sk-header' } }))).toBe('sk-header')
    expect(dialect.readKey(inboundRequest('m:generateContent', { headers: { authorization: 'Bearer sk-bearer' } }))).toBe('sk-bearer')
    expect(dialect.readKey(inboundRequest('m:generateContent'))).toBeUndefined()
  })

  test('the output ceiling is maxOutputTokens × candidateCount', () => {
    expect(dialect.readMaxOutputTokens(body)).toBe(1000)
    expect(dialect.readMaxOutputTokens({ ...body, generationConfig: { maxOutputTokens: 64 } })).toBe(64)
    expect(dialect.readMaxOutputTokens({ contents: [] })).toBeUndefined()
  })

  test('the upstream body is the client body: the model lives in the URL and usage always comes', () => {
    const prepared = dialect.prepareUpstreamBody(body, 'gemini-2.5-flash-001', true)
    expect(prepared.body).toEqual(body)
    expect(prepared.hideEvent).toBeUndefined()
    // …so the client's own bytes can go up as they are.
    expect(prepared.clientBytes).toEqual({})
  })

  test('the model list renders in Gemini shape for requests with a Google key', () => {
    const list = dialect.modelList!
    expect(list.routes).toEqual(['/v1beta/models'])
    expect(list.matches(inboundRequest('x', { headers: { 'x-goog-api-key': 'k' } }))).toBe(true)
    expect(list.matches(inboundRequest('x', { query: '?key=k' }))).toBe(true)
    expect(list.matches(inboundRequest('x', { headers: { authorization: 'Bearer k' } }))).toBe(false)
    expect(list.render(['gemini-2.5-flash', 'gemini-embedding-001'])).toEqual({
      models: [
        { name: 'models/gemini-2.5-flash', displayName: 'gemini-2.5-flash', supportedGenerationMethods: ['generateContent', 'countTokens'] },
        { name: 'models/gemini-embedding-001', displayName: 'gemini-embedding-001', supportedGenerationMethods: ['embedContent', 'batchEmbedContents'] },
      ],
    })
  })

  test('prompt estimate: system, every part, function calls and responses, declarations, media at a fixed cost', () => {
    const declarations = [{ name: 'get_weather', parametersJsonSchema: { type: 'object' } }]
    const estimate = estimateGeminiPrompt({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Weather here?' },
            { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
            { fileData: { mimeType: 'application/pdf', fileUri: 'https://x/y.pdf' } },
          ],
        },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: '18°C' } } }] },
      ],
      tools: [{ functionDeclarations: declarations }, { googleSearch: {} }],
    })
    expect(estimate).toEqual({
      texts: ['Be brief.', 'Weather here?', 'get_weather', '{"location":"Paris"}', 'get_weather', '{"result":"18°C"}', JSON.stringify(declarations)],
      fixedTokens: 3 * 3 + 2 * 258,
    })
  })
})

describe('usage', () => {
  test.each([
    ['gemini-text.json', { inputTokens: 123, cacheReadTokens: 2031, cacheWriteTokens: 0, outputTokens: 38, reasoningTokens: 29 }],
    ['gemini-thinking.json', { inputTokens: 13, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 707, reasoningTokens: 658 }],
    ['gemini-function-call.json', { inputTokens: 74, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 90, reasoningTokens: 68 }],
    ['gemini-safety-blocked.json', { inputTokens: 17, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }],
  ])('%s: cached tokens split out of the prompt, thoughts counted as output and reasoning', (name, expected) => {
    const fixture = loadFixture<{ usageMetadata: GeminiUsageMetadata }>('gemini', name)
    expect(answerUsage(fixture)).toEqual({ ...expected, raw: fixture.usageMetadata })
  })

  test('cached tokens are charged once, at the cache price', () => {
    const usage = answerUsage(loadFixture('gemini', 'gemini-text.json'))!
    const breakdown = priceUsage(usage, { inputPerMTok: 0.3, outputPerMTok: 2.5, cacheReadPerMTok: 0.03 }, 1)
    expect(breakdown.baseUsd).toBeCloseTo((123 * 0.3 + 2031 * 0.03 + 38 * 2.5) / 1_000_000, 12)
  })

  test('tool-use prompt tokens are input; cached never exceeds the prompt; missing counts are zero', () => {
    expect(convertGeminiUsage({ promptTokenCount: 100, toolUsePromptTokenCount: 40, candidatesTokenCount: 5 })).toMatchObject({
      inputTokens: 140,
      outputTokens: 5,
    })
    expect(convertGeminiUsage({ promptTokenCount: 10, cachedContentTokenCount: 50 })).toMatchObject({ inputTokens: 0, cacheReadTokens: 10 })
    expect(convertGeminiUsage({})).toMatchObject({ inputTokens: 0, cacheReadTokens: 0, outputTokens: 0, reasoningTokens: 0 })
  })

  test('hub usage back to usage metadata: cached inside the prompt count, thoughts apart from candidates', () => {
    const metadata = toGeminiUsageMetadata({ inputTokens: 123, cacheReadTokens: 2031, cacheWriteTokens: 0, outputTokens: 38, reasoningTokens: 29 })
    expect(metadata).toEqual({ promptTokenCount: 2154, candidatesTokenCount: 9, totalTokenCount: 2192, cachedContentTokenCount: 2031, thoughtsTokenCount: 29 })
    expect(toGeminiUsageMetadata({ inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 5, outputTokens: 3, reasoningTokens: 0 })).toEqual({
      promptTokenCount: 15,
      candidatesTokenCount: 3,
      totalTokenCount: 18,
    })
  })
})

describe('finish reasons', () => {
  test.each([
    ['STOP', false, 'stop', 'STOP'],
    ['STOP', true, 'tool-calls', 'STOP'],
    ['MAX_TOKENS', false, 'length', 'MAX_TOKENS'],
    ['SAFETY', false, 'content-filter', 'SAFETY'],
    ['RECITATION', false, 'content-filter', 'RECITATION'],
    ['BLOCKLIST', false, 'content-filter', 'BLOCKLIST'],
    ['PROHIBITED_CONTENT', false, 'content-filter', 'PROHIBITED_CONTENT'],
    ['SPII', false, 'content-filter', 'SPII'],
    ['MALFORMED_FUNCTION_CALL', false, 'other', 'MALFORMED_FUNCTION_CALL'],
    ['LANGUAGE', false, 'other', 'LANGUAGE'],
    ['FINISH_REASON_UNSPECIFIED', false, 'other', 'OTHER'],
    [undefined, false, 'other', 'OTHER'],
  ] as const)('%s (function call %s) → %s → %s', (gemini, hasCall, hubReason, back) => {
    const reason = mapGeminiFinishReason(gemini, hasCall)
    expect(reason).toBe(hubReason)
    expect(toGeminiFinishReason(reason, gemini)).toBe(back)
  })

  test.each([
    ['stop', 'STOP'],
    ['length', 'MAX_TOKENS'],
    ['tool-calls', 'STOP'],
    ['content-filter', 'SAFETY'],
    ['error', 'OTHER'],
    ['other', 'OTHER'],
  ] as const)('hub %s from another dialect → %s', (reason, gemini) => {
    expect(toGeminiFinishReason(reason, reason === 'stop' ? 'end_turn' : undefined)).toBe(gemini)
  })
})

describe('errors', () => {
  test.each([
    [400, 'invalid_request', 'INVALID_ARGUMENT'],
    [401, 'invalid_api_key', 'UNAUTHENTICATED'],
    [403, 'insufficient_quota', 'PERMISSION_DENIED'],
    [404, 'model_not_found', 'NOT_FOUND'],
    [413, 'request_too_large', 'INVALID_ARGUMENT'],
    [429, 'rate_limited', 'RESOURCE_EXHAUSTED'],
    [500, 'internal_error', 'INTERNAL'],
    [501, 'not_implemented', 'UNIMPLEMENTED'],
    [502, 'upstream_error', 'UNAVAILABLE'],
    [503, 'no_available_channel', 'UNAVAILABLE'],
    [504, 'upstream_timeout', 'DEADLINE_EXCEEDED'],
  ] as const)('HTTP %s (%s) renders as Google status %s', (status, code, googleStatus) => {
    expect(dialect.renderError(new GatewayError(status, code, 'Something went wrong'))).toEqual({
      status,
      body: {
        error: {
          code: status,
          message: 'Something went wrong',
          status: googleStatus,
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: code, domain: 'hanggent-api' }],
        },
      },
    })
  })

  test('a stream error is one data event with the same JSON', () => {
    const error = new GatewayError(504, 'upstream_timeout', 'Upstream sent nothing for 300 s')
    expect(dialect.renderStreamError(error)).toEqual([{ data: JSON.stringify(dialect.renderError(error).body) }])
  })

  test.each([
    ['gemini-error-400.json', 400, { message: '* GenerateContentRequest.contents: contents is not specified\n', code: 'INVALID_ARGUMENT' }],
    ['gemini-error-400-api-key.json', 400, { message: 'API key not valid. Please pass a valid API key.', code: 'API_KEY_INVALID' }],
    ['gemini-error-403.json', 403, { message: expect.stringContaining('unregistered callers'), code: 'PERMISSION_DENIED' }],
    ['gemini-error-429.json', 429, { message: expect.stringContaining('You exceeded your current quota'), code: 'RESOURCE_EXHAUSTED' }],
    ['gemini-error-500.json', 500, { message: expect.stringContaining('An internal error has occurred'), code: 'INTERNAL' }],
    ['gemini-error-503.json', 503, { message: 'The model is overloaded. Please try again later.', code: 'UNAVAILABLE' }],
  ])('upstream %s is read as message and code', (name, status, expected) => {
    expect(readGeminiUpstreamError(status, JSON.stringify(loadFixture('gemini', name)))).toEqual(expected)
  })

  test('array-wrapped errors (JSON streams), HTML and empty bodies', () => {
    expect(readGeminiUpstreamError(500, JSON.stringify([loadFixture('gemini', 'gemini-error-500.json')])).code).toBe('INTERNAL')
    expect(readGeminiUpstreamError(502, '<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' })
    expect(readGeminiUpstreamError(500, '')).toEqual({ message: 'upstream answered HTTP 500' })
  })
})
