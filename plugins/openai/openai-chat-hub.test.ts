import { describe, expect, test } from 'bun:test'
import type { HubEvent, HubPart, HubResult } from '@hanggent/plugin-sdk'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
import { validBody } from '../../tests/support/valid-body.ts'
import { openAIChatHub } from './openai-chat-hub.ts'
import { openAIChatDialect } from './openai-dialects.ts'
import { mapOpenAIFinishReason, toOpenAIFinishReason } from './map-openai-finish-reason.ts'
import { chatSse, collect, comparable, hubConversation, PNG_BASE64, spelled, streamOf, testEnv, TEST_NOW } from './openai-hub-test-support.ts'

type Json = Record<string, unknown>
type Completion = {
  id: string
  model: string
  created: number
  choices: Array<{
    index: number
    message: { content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> }
    finish_reason: string
  }>
  usage: Json
}

const hub = openAIChatHub
const inbound = { headers: new Headers(), url: new URL('http://gateway/v1/chat/completions'), params: {} }
/** Decodes a body as the relay hands it over: checked against the chat schema first. */
const decodeBody = (body: unknown, request: typeof inbound) => hub.decodeRequest(validBody(OpenAIChatRequest, body), request)

describe('decodeResult replays the recorded answers', () => {
  test.each(['openai-chat-text.json', 'openai-chat-tool-call.json', 'openai-chat-n2.json'])('%s', (name) => {
    const fixture = loadFixture<Completion>('openai', name)
    const result = hub.decodeResult(fixture, testEnv())
    expect(result).toMatchObject({ id: fixture.id, model: fixture.model, created: fixture.created })
    expect(result.choices).toEqual(
      fixture.choices.map((choice) => ({
        index: choice.index,
        content: [
          ...(choice.message.content ? [{ type: 'text', text: choice.message.content }] : []),
          ...(choice.message.tool_calls ?? []).map((call) => ({
            type: 'tool-call',
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          })),
        ] as HubPart[],
        finishReason: mapOpenAIFinishReason(choice.finish_reason),
        rawFinishReason: choice.finish_reason,
      })),
    )
    expect(result.usage).toMatchObject({ inputTokens: fixture.usage.prompt_tokens, outputTokens: fixture.usage.completion_tokens, raw: fixture.usage })
  })

  test('DeepSeek reasoning_content and refusals become reasoning and text', () => {
    const body = {
      ...loadFixture<Json>('openai', 'openai-chat-text.json'),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, reasoning_content: 'Thinking…', refusal: 'I cannot help with that.' },
          finish_reason: 'content_filter',
        },
      ],
    }
    expect(hub.decodeResult(body, testEnv()).choices[0]).toEqual({
      index: 0,
      content: [
        { type: 'reasoning', text: 'Thinking…' },
        { type: 'text', text: 'I cannot help with that.' },
      ],
      finishReason: 'content-filter',
      rawFinishReason: 'content_filter',
    })
  })

  test('a body without choices is a bad upstream answer', () => {
    expect(() => hub.decodeResult({ object: 'list' }, testEnv())).toThrow('Upstream answered without choices')
  })
})

describe('decodeStream replays the recorded streams', () => {
  test('text: one message-start, the deltas in order, finish, then usage', async () => {
    const chunks = loadChunks<{ id: string; model: string; created: number; choices: Array<{ delta: { content?: string } }>; usage: Json | null }>(
      'openai',
      'openai-chat-text.chunks.txt',
    )
    const events = await collect(hub.decodeStream(streamOf(chatSse('openai-chat-text.chunks.txt')), testEnv()))
    expect(events[0]).toEqual({ type: 'message-start', id: chunks[0]!.id, model: chunks[0]!.model, created: chunks[0]!.created })
    expect(spelled(events).text).toBe(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''))
    expect(events.slice(-2).map((event) => event.type)).toEqual(['finish', 'usage'])
    expect(events.at(-1)).toMatchObject({
      type: 'usage',
      usage: { inputTokens: chunks.at(-1)!.usage!.prompt_tokens, outputTokens: chunks.at(-1)!.usage!.completion_tokens },
    })
  })

  test('tool call: started once with id and name, arguments as fragments', async () => {
    const chunks = loadChunks<{ choices: Array<{ delta: { tool_calls?: Array<{ id?: string; function: { name?: string; arguments: string } }> } }> }>(
      'openai',
      'openai-chat-tool-call.chunks.txt',
    )
    const fragments = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])
    const events = await collect(hub.decodeStream(streamOf(chatSse('openai-chat-tool-call.chunks.txt')), testEnv()))
    expect(events.filter((event) => event.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: fragments[0]!.id!, name: fragments[0]!.function.name! },
    ])
    expect(spelled(events).calls[0]?.arguments).toBe(fragments.map((fragment) => fragment.function.arguments).join(''))
    expect(events.find((event) => event.type === 'finish')).toEqual({ type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'tool_calls' })
  })

  test('vendors that omit ids or reuse index 0 still give one hub tool call each', async () => {
    const chunk = (toolCalls: unknown[]) => ({
      data: JSON.stringify({ id: 'chatcmpl-x', model: 'm', created: 1, choices: [{ index: 0, delta: { tool_calls: toolCalls } }] }),
    })
    const events = await collect(
      hub.decodeStream(
        streamOf([
          chunk([{ index: 0, function: { name: 'a', arguments: '{}' } }]),
          chunk([{ index: 0, id: 'call_b', function: { name: 'b', arguments: '{"x":1}' } }]),
        ]),
        testEnv(),
      ),
    )
    expect(spelled(events).calls).toEqual([
      { id: 'call_1', name: 'a', arguments: '{}' },
      { id: 'call_b', name: 'b', arguments: '{"x":1}' },
    ])
  })

  test('reasoning deltas (reasoning_content or reasoning) become reasoning-delta', async () => {
    const chunk = (delta: Json) => ({ data: JSON.stringify({ id: 'chatcmpl-x', model: 'deepseek-reasoner', created: 1, choices: [{ index: 0, delta }] }) })
    const events = await collect(
      hub.decodeStream(streamOf([chunk({ reasoning_content: 'Hm' }), chunk({ reasoning: 'm.' }), chunk({ content: 'Yes' })]), testEnv()),
    )
    expect(spelled(events)).toMatchObject({ reasoning: 'Hm' + 'm.', text: 'Yes' })
  })

  test('a malformed chunk or an error chunk ends the stream with an error event', async () => {
    const malformed = await collect(
      hub.decodeStream(streamOf([...chatSse('openai-chat-text.chunks.txt').slice(0, 2), { data: '{"id":' }, { data: '[DONE]' }]), testEnv()),
    )
    expect(malformed.at(-1)).toEqual({ type: 'error', status: 502, code: 'bad_upstream_response', message: 'Upstream sent a malformed stream chunk' })
    const failed = await collect(
      hub.decodeStream(streamOf([{ data: '{"error":{"message":"The server had an error","type":"server_error","code":"server_error"}}' }]), testEnv()),
    )
    expect(failed).toEqual([{ type: 'error', status: 502, code: 'server_error', message: 'The server had an error' }])
  })
})

describe('finish reasons', () => {
  test.each([
    ['stop', 'stop', 'stop'],
    ['length', 'length', 'length'],
    ['tool_calls', 'tool-calls', 'tool_calls'],
    ['function_call', 'tool-calls', 'tool_calls'],
    ['content_filter', 'content-filter', 'content_filter'],
    ['insufficient_system_resource', 'other', 'stop'],
    [null, 'other', 'stop'],
  ] as const)('%s → %s → %s', (openai, hubReason, back) => {
    expect(mapOpenAIFinishReason(openai)).toBe(hubReason)
    expect(toOpenAIFinishReason(hubReason)).toBe(back)
  })
  test('error is sent as stop: SDKs type finish_reason as a closed set', () => {
    expect(toOpenAIFinishReason('error')).toBe('stop')
  })
})

describe('encodeResult', () => {
  const result: HubResult = {
    id: 'msg_01ABC',
    model: 'deepseek-reasoner',
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

  test('a chat.completion exactly as OpenAI shapes it; a foreign id is replaced', () => {
    expect(hub.encodeResult(result, testEnv())).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'deepseek-reasoner',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            refusal: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
            reasoning_content: 'Paris, surely.',
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 1134,
        completion_tokens: 50,
        total_tokens: 1184,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 20 },
      },
    })
  })

  test('content is null when there are only tool calls; a chatcmpl- id is kept; reasoning_content only with reasoning', () => {
    const encoded = hub.encodeResult(
      { ...result, id: 'chatcmpl-keep', choices: [{ index: 0, content: [result.choices[0]!.content[2]!], finishReason: 'tool-calls' }] },
      testEnv(),
    ) as { id: string; choices: Array<{ message: Json }> }
    expect(encoded.id).toBe('chatcmpl-keep')
    expect(encoded.choices[0]?.message.content).toBeNull()
    expect('reasoning_content' in (encoded.choices[0]?.message ?? {})).toBe(false)
  })

  test.each(['openai-chat-text.json', 'openai-chat-tool-call.json', 'openai-chat-n2.json'])('decodeResult(encodeResult(x)) keeps %s', (name) => {
    const decoded = hub.decodeResult(loadFixture('openai', name), testEnv())
    const again = hub.decodeResult(hub.encodeResult(decoded, testEnv()), testEnv())
    expect({ ...again, usage: { ...again.usage, raw: undefined } }).toEqual({ ...decoded, usage: { ...decoded.usage!, raw: undefined } })
  })
})

describe('encodeStream', () => {
  const events: HubEvent[] = [
    { type: 'message-start', id: 'msg_01', model: 'claude-sonnet-4-5', created: 1_750_000_000 },
    { type: 'reasoning-delta', index: 0, text: 'Hm.' },
    { type: 'text-delta', index: 0, text: 'Checking.' },
    { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_1', name: 'get_weather' },
    { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":"Paris"}' },
    { type: 'usage', usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 2 } },
    { type: 'finish', index: 0, reason: 'tool-calls' },
  ]

  test('chunks as OpenAI sends them; usage last in its own event, then [DONE]', async () => {
    const sse = await collect(hub.encodeStream(streamOf(events), testEnv()))
    const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'claude-sonnet-4-5' }
    const choice = (delta: Json, finish: string | null = null) => ({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })
    expect(sse.map((event) => (event.data === '[DONE]' ? event.data : JSON.parse(event.data)))).toEqual([
      choice({ role: 'assistant', content: '', refusal: null }),
      choice({ reasoning_content: 'Hm.' }),
      choice({ content: 'Checking.' }),
      choice({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"location":"Paris"}' } }] }),
      choice({}, 'tool_calls'),
      {
        ...head,
        choices: [],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          total_tokens: 15,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      },
      '[DONE]',
    ])
    expect(sse.every((event) => event.event === undefined)).toBe(true)
  })

  test('the usage event is the one the core hides from clients that did not ask for usage', async () => {
    const sse = await collect(hub.encodeStream(streamOf(events), testEnv()))
    const { hideEvent } = openAIChatDialect.prepareUpstreamBody({ model: 'x', messages: [], stream: true }, 'x', true)
    expect(sse.filter((event) => hideEvent?.(event))).toEqual([sse.at(-2)!])
  })

  test('an error ends the stream in OpenAI shape, without [DONE]', async () => {
    const sse = await collect(
      hub.encodeStream(streamOf<HubEvent>([events[0]!, events[2]!, { type: 'error', status: 529, code: 'upstream_error', message: 'Overloaded' }]), testEnv()),
    )
    expect(sse.at(-1)).toEqual({ data: JSON.stringify({ error: { message: 'Overloaded', type: 'upstream_error', param: null, code: 'upstream_error' } }) })
    expect(sse.some((event) => event.data === '[DONE]')).toBe(false)
  })

  test('a stream that ends without finishing gets an error, never [DONE]', async () => {
    const sse = await collect(hub.encodeStream(streamOf(events.slice(0, 3)), testEnv()))
    expect(JSON.parse(sse.at(-1)!.data)).toEqual({
      error: { message: 'Upstream stream ended before the answer was complete', type: 'upstream_error', param: null, code: 'bad_upstream_response' },
    })
  })

  test('without message-start, the id and clock come from the env', async () => {
    const sse = await collect(
      hub.encodeStream(
        streamOf<HubEvent>([
          { type: 'text-delta', index: 0, text: 'Hi' },
          { type: 'finish', index: 0, reason: 'stop' },
        ]),
        testEnv(),
      ),
    )
    expect(JSON.parse(sse[0]!.data)).toMatchObject({ id: 'chatcmpl-1', created: TEST_NOW / 1000, model: '' })
  })

  test.each(['openai-chat-text.chunks.txt', 'openai-chat-tool-call.chunks.txt'])(
    'decodeStream(encodeStream(decodeStream(%s))) gives the same hub events',
    async (name) => {
      const decoded = await collect(hub.decodeStream(streamOf(chatSse(name)), testEnv()))
      const again = await collect(hub.decodeStream(hub.encodeStream(streamOf(decoded), testEnv()), testEnv()))
      expect(comparable(again)).toEqual(comparable(decoded))
    },
  )
})

describe('decodeRequest', () => {
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather',
        parameters: { type: 'object', properties: { location: { type: 'string' } } },
        strict: true,
      },
    },
  ]

  test('every supported field in hub form', () => {
    const { value, warnings } = decodeBody(
      {
        model: 'gpt-4o',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'high' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            reasoning_content: 'Look it up.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        ],
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.5,
        top_p: 0.9,
        stop: 'END',
        seed: 7,
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
        n: 2,
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
        reasoning_effort: 'low',
        user: 'user-1',
        stream: true,
        stream_options: { include_usage: true },
      },
      inbound,
    )
    expect(warnings).toEqual([])
    expect(value).toEqual({
      model: 'gpt-4o',
      stream: true,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: PNG_BASE64, mediaType: 'image/png', detail: 'high' },
            { type: 'image', url: 'https://example.com/cat.png' },
            { type: 'audio', data: 'UklGRg==', format: 'wav' },
            { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', name: 'a.pdf' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Look it up.' },
            { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', name: 'get_weather', content: '18°C' }] },
      ],
      tools: [
        { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } } }, strict: true },
      ],
      toolChoice: { name: 'get_weather' },
      parallelToolCalls: false,
      maxOutputTokens: 200,
      temperature: 0.5,
      topP: 0.9,
      stop: ['END'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      candidateCount: 2,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      reasoning: { effort: 'low' },
      user: 'user-1',
    })
  })

  test('fields with no hub equivalent go to extra, each named in a warning', () => {
    const unsupported = {
      logit_bias: { '50256': -100 },
      logprobs: true,
      top_logprobs: 2,
      metadata: { team: 'a' },
      store: true,
      service_tier: 'flex',
      prediction: { type: 'content', content: 'x' },
      modalities: ['text'],
      audio: { voice: 'alloy', format: 'mp3' },
      web_search_options: {},
    }
    const { value, warnings } = decodeBody({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...unsupported }, inbound)
    expect(value.extra).toEqual({ 'openai.chat': unsupported })
    expect(warnings).toEqual(Object.keys(unsupported).map((name) => `\`${name}\` has no hub equivalent; only an OpenAI Chat upstream receives it`))
  })

  test('legacy functions, function_call and function messages become tools with warnings', () => {
    const { value, warnings } = decodeBody(
      {
        model: 'gpt-3.5-turbo',
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{}' } },
          { role: 'function', name: 'get_weather', content: 'Sunny' },
        ],
        functions: [{ name: 'get_weather', parameters: { type: 'object' } }],
        function_call: { name: 'get_weather' },
      },
      inbound,
    )
    expect(value.tools).toEqual([{ name: 'get_weather', parameters: { type: 'object' } }])
    expect(value.toolChoice).toEqual({ name: 'get_weather' })
    expect(value.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_legacy_1', name: 'get_weather', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'call_legacy_1', name: 'get_weather', content: 'Sunny' }] },
    ])
    expect(warnings).toHaveLength(4)
  })

  test('parts and fields the hub cannot hold are dropped with a warning', () => {
    const { warnings } = decodeBody(
      {
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            name: 'ann',
            content: [
              { type: 'file', file: { file_id: 'file-abc' } },
              { type: 'video', video: {} },
            ],
          },
        ],
        reasoning_effort: 'xhigh',
      },
      inbound,
    )
    expect(warnings).toEqual([
      'messages[0].name has no hub equivalent and was dropped',
      'messages[0].content[0]: file parts are carried only as inline file_data; a file_id cannot cross the hub and was dropped',
      'messages[0].content[1]: content part of type "video" has no hub equivalent and was dropped',
      'reasoning_effort "xhigh" has no hub equivalent; only an OpenAI Chat upstream receives it',
    ])
  })
})

describe('encodeRequest', () => {
  test('round trip: a Chat request through the hub comes back as it was', () => {
    const original = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"png"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'A red pixel.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'Nothing.' }] },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', description: 'Look things up', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false },
        },
        { type: 'custom', custom: { name: 'grammar' } },
      ],
      tool_choice: 'required',
      parallel_tool_calls: true,
      max_completion_tokens: 500,
      temperature: 0.7,
      top_p: 0.95,
      stop: ['END', 'STOP'],
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      n: 1,
      response_format: { type: 'json_object' },
      reasoning_effort: 'medium',
      user: 'user-7',
      logit_bias: { '50256': -100 },
      metadata: { team: 'search' },
      stream: true,
      stream_options: { include_usage: true },
    }
    const decoded = decodeBody(original, inbound)
    expect(hub.encodeRequest(decoded.value).value).toEqual(original)
  })

  test('the exact body for a conversation with a system prompt, an image and a tool round trip', () => {
    const { value, warnings } = hub.encodeRequest(hubConversation)
    expect(value).toEqual({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture, and what is the weather there?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Paris. Checking the weather.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C, cloudy' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a location',
            parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          },
        },
      ],
      tool_choice: 'auto',
      max_completion_tokens: 300,
      temperature: 0.2,
    })
    expect(warnings).toEqual(['OpenAI Chat does not accept reasoning in assistant history; it was dropped'])
  })

  test.each([
    [{ effort: 'high' }, 'high', []],
    [{ budgetTokens: 1024 }, 'low', ['reasoning budget of 1024 tokens approximated as reasoning effort "low"']],
    [{ budgetTokens: 8192 }, 'medium', ['reasoning budget of 8192 tokens approximated as reasoning effort "medium"']],
    [{ budgetTokens: 20000 }, 'high', ['reasoning budget of 20000 tokens approximated as reasoning effort "high"']],
    [{ enabled: false }, 'none', []],
    [{ enabled: true, includeThoughts: true }, undefined, []],
  ] as const)('reasoning %o → reasoning_effort %s', (reasoning, effort, warnings) => {
    const encoded = hub.encodeRequest({ model: 'o3', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, reasoning })
    expect(encoded.value.reasoning_effort).toBe(effort)
    expect(encoded.warnings).toEqual([...warnings])
  })

  test('tool_choice and parallel_tool_calls are left out without tools (OpenAI rejects them)', () => {
    const { value } = hub.encodeRequest({ model: 'gpt-4o', messages: [], stream: false, toolChoice: 'none', parallelToolCalls: false })
    expect(value).toEqual({ model: 'gpt-4o', messages: [] })
  })

  test('Responses-only fields in extra never reach a Chat body', () => {
    const { value } = hub.encodeRequest({
      model: 'gpt-4o',
      messages: [],
      stream: false,
      extra: { 'openai.responses': { include: ['reasoning.encrypted_content'], truncation: 'auto' } },
    })
    expect(value).toEqual({ model: 'gpt-4o', messages: [] })
  })
})
