import { describe, expect, test } from 'bun:test'
import { convertOpenAIUsage } from './convert-openai-usage.ts'
import { openAIEndpointUrl, buildOpenAIRequest } from './openai-transport.ts'
import { openAIChatDialect, openAICompletionsDialect, openAIEmbeddingsDialect } from './openai-dialects.ts'
import { estimateOpenAIChatPrompt } from './estimate-openai-prompt.ts'
import { readOpenAIUpstreamError } from './openai-errors.ts'
import { GatewayError } from '@hanggent/plugin-sdk'
import { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
import { validBody } from '../../tests/support/valid-body.ts'

describe('convertOpenAIUsage', () => {
  test('splits cached tokens out of prompt tokens and keeps reasoning inside output', () => {
    const usage = convertOpenAIUsage({
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 128 },
    })
    expect(usage).toMatchObject({ inputTokens: 176, cacheReadTokens: 1024, cacheWriteTokens: 0, outputTokens: 300, reasoningTokens: 128 })
  })
  test('never produces negative input when cached exceeds prompt', () => {
    expect(convertOpenAIUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 50 } }).inputTokens).toBe(0)
  })
  test('missing details count as zero', () => {
    expect(convertOpenAIUsage({ prompt_tokens: 5, completion_tokens: 2 })).toMatchObject({
      inputTokens: 5,
      cacheReadTokens: 0,
      outputTokens: 2,
      reasoningTokens: 0,
    })
  })
})

describe('OpenAI transport', () => {
  test.each([
    ['https://api.openai.com', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com/', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.deepseek.com/v1', 'https://api.deepseek.com/v1/chat/completions'],
    ['https://api.groq.com/openai', 'https://api.groq.com/openai/v1/chat/completions'],
    ['https://open.bigmodel.cn/api/paas/v4', 'https://open.bigmodel.cn/api/paas/v4/chat/completions'],
  ])('%s → %s', (base, expected) => {
    expect(openAIEndpointUrl(base, 'chat')).toBe(expected)
  })

  test('sends the channel key as a bearer token with organization headers', () => {
    const request = buildOpenAIRequest({
      channel: {
        config: { azureDefaultApiVersion: '2025-04-01-preview' },
        id: 1,
        type: 'openai',
        baseUrl: 'https://api.openai.com',
        key: 'sk-upstream',
        settings: { organization: 'org-1', headers: { 'X-Extra': 'yes' } },
      },
      dialect: 'openai.chat',
      endpoint: 'chat',
      model: 'gpt-4o',
      stream: false,
      body: { model: 'gpt-4o', messages: [] },
    })
    expect(request.headers.authorization).toBe('Bearer sk-upstream')
    expect(request.headers['openai-organization']).toBe('org-1')
    expect(request.headers['x-extra']).toBe('yes')
    expect(JSON.parse(request.body as string)).toEqual({ model: 'gpt-4o', messages: [] })
  })

  test('drops stream_options for vendors that reject it', () => {
    const request = buildOpenAIRequest({
      channel: {
        config: { azureDefaultApiVersion: '2025-04-01-preview' },
        id: 1,
        type: 'openai-compatible',
        baseUrl: 'http://vllm:8000',
        key: 'k',
        settings: { streamUsage: false },
      },
      dialect: 'openai.chat',
      endpoint: 'chat',
      model: 'llama',
      stream: true,
      body: { model: 'llama', stream: true, stream_options: { include_usage: true } },
    })
    expect(JSON.parse(request.body as string)).toEqual({ model: 'llama', stream: true })
  })
})

describe('OpenAI dialects', () => {
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: 0.3, logit_bias: { '50256': -100 } }

  test('forces include_usage on streams and hides the added usage chunk from the client', () => {
    const prepared = openAIChatDialect.prepareUpstreamBody(body, 'gpt-4o-2024-08-06', true)
    expect(prepared.body).toEqual({ ...body, model: 'gpt-4o-2024-08-06', stream_options: { include_usage: true } })
    expect(prepared.hideEvent?.({ data: '{"id":"x","choices":[],"usage":{"prompt_tokens":1}}' })).toBe(true)
    expect(prepared.hideEvent?.({ data: '{"id":"x","choices":[{"index":0,"delta":{"content":"a"}}],"usage":null}' })).toBe(false)
  })

  test('leaves the body alone when the client asked for usage itself', () => {
    const asked = { ...body, stream_options: { include_usage: true } }
    const prepared = openAIChatDialect.prepareUpstreamBody(asked, 'gpt-4o', true)
    expect(prepared.body).toEqual(asked)
    expect(prepared.hideEvent).toBeUndefined()
  })

  test('non-stream bodies only get the mapped model', () => {
    expect(openAIChatDialect.prepareUpstreamBody({ ...body, stream: false }, 'm2', false).body).toEqual({ ...body, stream: false, model: 'm2' })
  })

  test('the output ceiling accounts for n', () => {
    const chat = (extra: object) => validBody(OpenAIChatRequest, { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra })
    expect(openAIChatDialect.readMaxOutputTokens(chat({ max_tokens: 100, n: 3 }))).toBe(300)
    expect(openAIChatDialect.readMaxOutputTokens(chat({ max_completion_tokens: 50 }))).toBe(50)
    expect(openAIChatDialect.readMaxOutputTokens(chat({}))).toBeUndefined()
    expect(openAICompletionsDialect.readMaxOutputTokens({ model: 'm', prompt: 'hi' })).toBe(16)
    expect(openAIEmbeddingsDialect.readMaxOutputTokens({ model: 'm', input: 'hi' })).toBe(0)
  })

  test('keys come from Authorization: Bearer or api-key', () => {
    const request = (headers: Record<string, string>) => ({ headers: new Headers(headers), url: new URL('http://x/v1/chat/completions'), params: {} })
    expect(openAIChatDialect.readKey(request({ authorization: 'Bearer sk-abc' }))).toBe('sk-abc')
    expect(openAIChatDialect.readKey(request({ 'api-key': 'sk-def' }))).toBe('sk-def')
    expect(openAIChatDialect.readKey(request({}))).toBeUndefined()
  })

  test('errors render in OpenAI shape with param and code', () => {
    const rendered = openAIChatDialect.renderError(
      new GatewayError(400, 'invalid_type', "Invalid type for 'messages[0].content'", { param: 'messages[0].content' }),
    )
    expect(rendered).toEqual({
      status: 400,
      body: { error: { message: "Invalid type for 'messages[0].content'", type: 'invalid_request_error', param: 'messages[0].content', code: 'invalid_type' } },
    })
  })

  test('upstream error bodies are read in OpenAI shape or as text', () => {
    expect(readOpenAIUpstreamError(429, '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}')).toEqual({
      message: 'Rate limit reached',
      code: 'rate_limit_exceeded',
    })
    expect(readOpenAIUpstreamError(502, '<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' })
    expect(readOpenAIUpstreamError(500, '')).toEqual({ message: 'upstream answered HTTP 500' })
  })
})

describe('prompt estimate', () => {
  test('counts texts, names, tool calls, tools and image parts', () => {
    const estimate = estimateOpenAIChatPrompt(
      validBody(OpenAIChatRequest, {
        model: 'm',
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            name: 'ann',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      }),
    )
    expect(estimate.texts).toEqual([
      'Be brief.',
      'ann',
      'What is this?',
      'lookup',
      '{"q":"x"}',
      JSON.stringify([{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }]),
    ])
    // 3 priming + 3×3 per message + 1 name + 85 low-detail image + 3 per tool call
    expect(estimate.fixedTokens).toBe(3 + 9 + 1 + 85 + 3)
  })
})

describe('passthrough bodies as the client sent them', () => {
  const chat = openAIChatDialect
  const client = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }

  test('an unmapped call sends the client bytes unchanged; a mapped one is serialised again', () => {
    expect(chat.prepareUpstreamBody(client, 'gpt-4o-mini', false).clientBytes).toEqual({})
    expect(chat.prepareUpstreamBody(client, 'gpt-4o-mini-2024-07-18', false).clientBytes).toBeUndefined()
  })

  test('a stream without stream_options gets include_usage added in front, the same body as the prepared one', () => {
    const streamed = { ...client, stream: true }
    const prepared = chat.prepareUpstreamBody(streamed, 'gpt-4o-mini', true)
    expect(JSON.parse(`{${prepared.clientBytes!.firstMember},${JSON.stringify(streamed).slice(1)}`)).toEqual(prepared.body)
    // With stream_options of its own the client's bytes cannot be reused: the body is serialised instead.
    const withOptions = validBody(OpenAIChatRequest, { ...streamed, stream_options: { include_obfuscation: false } })
    expect(chat.prepareUpstreamBody(withOptions, 'gpt-4o-mini', true).clientBytes).toBeUndefined()
  })
})
