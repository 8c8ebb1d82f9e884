import { describe, expect, test } from 'bun:test'
import type { HubEvent, HubPart, HubResult } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { openAIChatHub } from './openai-chat-hub.ts'
import { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'
import { validBody } from '../../tests/support/valid-body.ts'
import { openAIResponsesHub } from './openai-responses-hub.ts'
import { mapOpenAIResponsesStatus, toOpenAIResponsesStatus } from './map-openai-responses-status.ts'
import { chatSse, collect, comparable, hubConversation, PNG_BASE64, responsesSse, spelled, streamOf, testEnv } from './openai-hub-test-support.ts'

type Json = Record<string, unknown>
type Item = {
  type: string
  id?: string
  call_id?: string
  name?: string
  arguments?: string
  summary?: Array<{ text: string }>
  content?: Array<{ text: string }>
}
type Response = {
  id: string
  model: string
  created_at: number
  output: Item[]
  usage: { input_tokens: number; output_tokens: number; output_tokens_details: { reasoning_tokens: number } }
}

const hub = openAIResponsesHub
const inbound = { headers: new Headers(), url: new URL('http://gateway/v1/responses'), params: {} }
/** Decodes a body as the relay hands it over: checked against the Responses schema first. */
const decodeBody = (body: unknown, request: typeof inbound) => hub.decodeRequest(validBody(OpenAIResponsesRequest, body), request)
const FIXTURES = ['openai-responses-text', 'openai-responses-function-call', 'openai-responses-reasoning']

/** What a recorded response says, read from the fixture itself. */
function spelledResponse(response: Response) {
  const text = response.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content ?? [])
    .map((part) => part.text)
    .join('')
  const reasoning = response.output
    .filter((item) => item.type === 'reasoning')
    .flatMap((item) => item.summary ?? [])
    .map((part) => part.text)
    .join('\n\n')
  const calls = response.output
    .filter((item) => item.type === 'function_call')
    .map((item) => ({ id: item.call_id!, name: item.name!, arguments: item.arguments! }))
  return { text, reasoning, calls }
}

describe('decodeResult replays the recorded responses', () => {
  test.each(FIXTURES)('%s.json', (name) => {
    const fixture = loadFixture<Response>('openai', `${name}.json`)
    const result = hub.decodeResult(fixture, testEnv())
    expect(result).toMatchObject({ id: fixture.id, model: fixture.model, created: fixture.created_at })
    const expected = spelledResponse(fixture)
    expect(result.choices[0]?.content).toEqual([
      ...(expected.reasoning ? [{ type: 'reasoning', text: expected.reasoning }] : []),
      ...(expected.text ? [{ type: 'text', text: expected.text }] : []),
      ...expected.calls.map((call) => ({ type: 'tool-call', ...call })),
    ] as HubPart[])
    expect(result.choices[0]?.finishReason).toBe(expected.calls.length > 0 ? 'tool-calls' : 'stop')
    expect(result.usage).toMatchObject({
      inputTokens: fixture.usage.input_tokens,
      outputTokens: fixture.usage.output_tokens,
      reasoningTokens: fixture.usage.output_tokens_details.reasoning_tokens,
    })
  })

  test('an incomplete response stopped by max_output_tokens is a length finish', () => {
    const fixture = { ...loadFixture<Json>('openai', 'openai-responses-text.json'), status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
    expect(hub.decodeResult(fixture, testEnv()).choices[0]).toMatchObject({ finishReason: 'length', rawFinishReason: 'max_output_tokens' })
  })
})

describe('decodeStream replays the recorded streams', () => {
  test.each(FIXTURES)('%s.chunks.txt spells what the stream sent', async (name) => {
    const recorded = loadChunks<{ type: string; response?: Response }>('openai', `${name}.chunks.txt`)
    const completed = recorded.at(-1)!.response!
    const events = await collect(hub.decodeStream(streamOf(responsesSse(`${name}.chunks.txt`)), testEnv()))
    expect(events[0]).toEqual({
      type: 'message-start',
      id: recorded[0]!.response!.id,
      model: recorded[0]!.response!.model,
      created: recorded[0]!.response!.created_at,
    })
    expect(spelled(events)).toEqual(spelledResponse(completed))
    const finish = events.find((event) => event.type === 'finish')
    expect(finish).toMatchObject({ reason: spelledResponse(completed).calls.length > 0 ? 'tool-calls' : 'stop' })
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { outputTokens: completed.usage.output_tokens } })
  })

  test.each(FIXTURES)('%s: the stream and the complete answer say the same (call ids aside)', async (name) => {
    const withoutIds = ({ calls, ...rest }: ReturnType<typeof spelledResponse>) => ({
      ...rest,
      calls: calls.map(({ name: tool, arguments: args }) => ({ tool, args })),
    })
    const events = await collect(hub.decodeStream(streamOf(responsesSse(`${name}.chunks.txt`)), testEnv()))
    expect(withoutIds(spelled(events))).toEqual(withoutIds(spelledResponse(loadFixture<Response>('openai', `${name}.json`))))
  })

  test('an error event, a failed response or a malformed event ends the stream with an error', async () => {
    const error = await collect(
      hub.decodeStream(
        streamOf([{ event: 'error', data: '{"type":"error","code":"server_error","message":"Boom","param":null,"sequence_number":3}' }]),
        testEnv(),
      ),
    )
    expect(error).toEqual([{ type: 'error', status: 502, code: 'server_error', message: 'Boom' }])
    const failedResponse = {
      ...loadFixture<Json>('openai', 'openai-responses-text.json'),
      status: 'failed',
      error: { code: 'rate_limit_exceeded', message: 'Slow down' },
    }
    const failed = await collect(
      hub.decodeStream(
        streamOf([{ event: 'response.failed', data: JSON.stringify({ type: 'response.failed', sequence_number: 1, response: failedResponse }) }]),
        testEnv(),
      ),
    )
    expect(failed.at(-1)).toEqual({ type: 'error', status: 502, code: 'rate_limit_exceeded', message: 'Slow down' })
    const malformed = await collect(
      hub.decodeStream(
        streamOf([...responsesSse('openai-responses-text.chunks.txt').slice(0, 3), { event: 'response.output_text.delta', data: '{"type":' }]),
        testEnv(),
      ),
    )
    expect(malformed.at(-1)).toEqual({ type: 'error', status: 502, code: 'bad_upstream_response', message: 'Upstream sent a malformed stream event' })
  })
})

describe('status mapping', () => {
  test.each([
    ['completed', undefined, false, 'stop'],
    ['completed', undefined, true, 'tool-calls'],
    ['incomplete', 'max_output_tokens', false, 'length'],
    ['incomplete', 'content_filter', false, 'content-filter'],
    ['failed', undefined, false, 'error'],
    ['cancelled', undefined, false, 'other'],
  ] as const)('%s (%s, calls: %s) → %s', (status, reason, calls, expected) => {
    expect(mapOpenAIResponsesStatus(status, reason, calls).reason).toBe(expected)
  })
  test.each([
    ['stop', 'completed', null],
    ['tool-calls', 'completed', null],
    ['length', 'incomplete', { reason: 'max_output_tokens' }],
    ['content-filter', 'incomplete', { reason: 'content_filter' }],
    ['error', 'failed', null],
  ] as const)('hub %s → status %s', (reason, status, details) => {
    expect(toOpenAIResponsesStatus(reason)).toEqual({ status, incomplete_details: details })
  })
})

describe('encodeResult', () => {
  const result: HubResult = {
    id: 'chatcmpl-abc',
    model: 'o4-mini',
    created: 1_750_000_000,
    choices: [
      {
        index: 0,
        content: [
          { type: 'reasoning', text: 'Paris, surely.' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        ],
        finishReason: 'tool-calls',
      },
    ],
    usage: { inputTokens: 100, cacheReadTokens: 1024, cacheWriteTokens: 0, outputTokens: 50, reasoningTokens: 20 },
  }

  test('a full response object, items in order, with the API defaults', () => {
    expect(hub.encodeResult(result, testEnv())).toEqual({
      id: 'resp_1',
      object: 'response',
      created_at: 1_750_000_000,
      status: 'completed',
      background: false,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      max_tool_calls: null,
      model: 'o4-mini',
      output: [
        { id: 'rs_2', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Paris, surely.' }] },
        {
          id: 'msg_3',
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Checking.' }],
          role: 'assistant',
        },
        { id: 'fc_4', type: 'function_call', status: 'completed', arguments: '{"location":"Paris"}', call_id: 'call_1', name: 'get_weather' },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      prompt_cache_key: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: 'default',
      store: false,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      usage: {
        input_tokens: 1124,
        input_tokens_details: { cached_tokens: 1024, cache_write_tokens: 0 },
        output_tokens: 50,
        output_tokens_details: { reasoning_tokens: 20 },
        total_tokens: 1174,
      },
      user: null,
      metadata: {},
    })
  })

  test('a length stop is an incomplete response with max_output_tokens as the reason', () => {
    const encoded = hub.encodeResult(
      { ...result, choices: [{ index: 0, content: [{ type: 'text', text: 'Par' }], finishReason: 'length' }] },
      testEnv(),
    ) as Json
    expect(encoded).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete' }],
    })
  })

  test.each(FIXTURES)('decodeResult(encodeResult(%s)) says the same', (name) => {
    const decoded = hub.decodeResult(loadFixture('openai', `${name}.json`), testEnv())
    const again = hub.decodeResult(hub.encodeResult(decoded, testEnv()), testEnv())
    expect({ ...again, usage: { ...again.usage, raw: undefined } }).toEqual({ ...decoded, usage: { ...decoded.usage!, raw: undefined } })
  })
})

describe('encodeStream', () => {
  test('the real event sequence, with increasing sequence numbers and SSE names equal to the type', async () => {
    const decoded = await collect(hub.decodeStream(streamOf(responsesSse('openai-responses-reasoning.chunks.txt')), testEnv()))
    const sse = await collect(hub.encodeStream(streamOf(decoded), testEnv()))
    const events = sse.map((event) => JSON.parse(event.data) as { type: string; sequence_number: number })
    expect(sse.every((event, index) => event.event === events[index]!.type)).toBe(true)
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index))
    const recordedTypes = loadChunks<{ type: string }>('openai', 'openai-responses-reasoning.chunks.txt').map((event) => event.type)
    const collapse = (types: string[]) => types.filter((type, index) => !type.endsWith('.delta') || types[index - 1] !== type)
    expect(collapse(events.map((event) => event.type))).toEqual(collapse(recordedTypes))
  })

  test('function calls: item added, argument deltas, done events, then response.completed with the items', async () => {
    const events: HubEvent[] = [
      { type: 'message-start', id: 'msg_01', model: 'claude-sonnet-4-5', created: 1_750_000_000 },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'toolu_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
      { type: 'finish', index: 0, reason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 } },
    ]
    const sse = await collect(hub.encodeStream(streamOf(events), testEnv()))
    const parsed = sse.map((event) => JSON.parse(event.data) as Json)
    expect(parsed.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(parsed[2]).toEqual({
      type: 'response.output_item.added',
      sequence_number: 2,
      output_index: 0,
      item: { id: 'fc_2', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'toolu_1', name: 'get_weather' },
    })
    expect(parsed[5]).toEqual({
      type: 'response.function_call_arguments.done',
      sequence_number: 5,
      item_id: 'fc_2',
      output_index: 0,
      arguments: '{"location":"Paris"}',
    })
    expect(parsed.at(-1)).toMatchObject({
      response: {
        id: 'resp_1',
        status: 'completed',
        output: [{ id: 'fc_2', type: 'function_call', status: 'completed', arguments: '{"location":"Paris"}', call_id: 'toolu_1', name: 'get_weather' }],
        usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
      },
    })
  })

  test('an error ends the stream with an error event; an unfinished stream too', async () => {
    const failed = await collect(
      hub.encodeStream(
        streamOf<HubEvent>([
          { type: 'text-delta', index: 0, text: 'Hi' },
          { type: 'error', status: 502, code: 'upstream_error', message: 'Boom' },
        ]),
        testEnv(),
      ),
    )
    expect(failed.at(-1)?.event).toBe('error')
    expect(JSON.parse(failed.at(-1)!.data)).toEqual({ type: 'error', sequence_number: failed.length - 1, code: 'upstream_error', message: 'Boom', param: null })
    const unfinished = await collect(hub.encodeStream(streamOf<HubEvent>([{ type: 'text-delta', index: 0, text: 'Hi' }]), testEnv()))
    expect(JSON.parse(unfinished.at(-1)!.data)).toMatchObject({ type: 'error', code: 'bad_upstream_response' })
    expect(unfinished.some((event) => event.event === 'response.completed')).toBe(false)
  })

  test.each(FIXTURES)('decodeStream(encodeStream(decodeStream(%s))) gives the same hub events', async (name) => {
    const decoded = await collect(hub.decodeStream(streamOf(responsesSse(`${name}.chunks.txt`)), testEnv()))
    const again = await collect(hub.decodeStream(hub.encodeStream(streamOf(decoded), testEnv()), testEnv()))
    expect(comparable(again)).toEqual(comparable(decoded))
  })

  test.each(['openai-chat-text.chunks.txt', 'openai-chat-tool-call.chunks.txt'])(
    'a Chat stream (%s) re-encoded as Responses decodes to the same hub events',
    async (name) => {
      const decoded = await collect(openAIChatHub.decodeStream(streamOf(chatSse(name)), testEnv()))
      const again = await collect(hub.decodeStream(hub.encodeStream(streamOf(decoded), testEnv()), testEnv()))
      expect(comparable(again, { ignoreStartId: true })).toEqual(comparable(decoded, { ignoreStartId: true }))
    },
  )
})

describe('decodeRequest', () => {
  test('instructions, input items, tools, format and reasoning in hub form', () => {
    const { value, warnings } = decodeBody(
      {
        model: 'o4-mini',
        instructions: 'Be brief.',
        input: [
          { role: 'developer', content: 'Answer in French.' },
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: `data:image/png;base64,${PNG_BASE64}`, detail: 'auto' },
              { type: 'input_file', file_url: 'https://example.com/a.pdf', filename: 'a.pdf' },
            ],
          },
          {
            type: 'reasoning',
            id: 'rs_1',
            summary: [
              { type: 'summary_text', text: 'First.' },
              { type: 'summary_text', text: 'Second.' },
            ],
          },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Looking.', annotations: [] }] },
          { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '{}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'A pixel.' },
        ],
        tools: [{ type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object' } }],
        tool_choice: { type: 'function', name: 'lookup' },
        parallel_tool_calls: false,
        max_output_tokens: 256,
        temperature: 0.3,
        top_p: 0.8,
        user: 'user-1',
        stream: true,
        reasoning: { effort: 'high', summary: 'auto' },
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      },
      inbound,
    )
    expect(warnings).toEqual([
      'tool "lookup": sent without strict (the Responses default) because its schema does not satisfy strict mode (every property required, additionalProperties false)',
    ])
    expect(value).toEqual({
      model: 'o4-mini',
      stream: true,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: PNG_BASE64, mediaType: 'image/png', detail: 'auto' },
            { type: 'file', url: 'https://example.com/a.pdf', name: 'a.pdf' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'First.\n\nSecond.' },
            { type: 'text', text: 'Looking.' },
            { type: 'tool-call', id: 'call_1', name: 'lookup', arguments: '{}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', name: 'lookup', content: 'A pixel.' }] },
      ],
      tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object' } }],
      toolChoice: { name: 'lookup' },
      parallelToolCalls: false,
      maxOutputTokens: 256,
      temperature: 0.3,
      topP: 0.8,
      user: 'user-1',
      reasoning: { effort: 'high', includeThoughts: true },
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
    })
  })

  test.each(['previous_response_id', 'conversation'])('%s is refused with a 400 naming the parameter', (param) => {
    let thrown: unknown
    try {
      decodeBody({ model: 'gpt-4.1', input: 'And then?', [param]: param === 'conversation' ? 'conv_1' : 'resp_1' }, inbound)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(GatewayError)
    expect(thrown).toMatchObject({
      status: 400,
      code: 'invalid_request',
      param,
      message: `${param} is not supported: the gateway keeps no conversation state; send the full input instead`,
    })
  })

  test('built-in tools and fields the hub cannot hold stay with the dialect, each named in a warning', () => {
    const { value, warnings } = decodeBody(
      {
        model: 'gpt-4.1',
        input: 'Search the news',
        tools: [{ type: 'web_search' }, { type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }],
        store: false,
        include: ['reasoning.encrypted_content'],
        truncation: 'auto',
        metadata: { a: 'b' },
        text: { verbosity: 'low' },
        reasoning: { effort: 'xhigh' },
      },
      inbound,
    )
    expect(value.tools).toEqual([{ name: 'f', parameters: { type: 'object' }, strict: false }])
    expect(value.extra).toEqual({
      'openai.responses': {
        store: false,
        include: ['reasoning.encrypted_content'],
        truncation: 'auto',
        metadata: { a: 'b' },
        tools: [{ type: 'web_search' }],
        reasoning: { effort: 'xhigh' },
        text: { verbosity: 'low' },
      },
    })
    expect(warnings).toEqual([
      '`store` has no hub equivalent; only an OpenAI Responses upstream receives it',
      '`include` has no hub equivalent; only an OpenAI Responses upstream receives it',
      '`truncation` has no hub equivalent; only an OpenAI Responses upstream receives it',
      '`metadata` has no hub equivalent; only an OpenAI Responses upstream receives it',
      'tools of type "web_search" have no hub equivalent; only an OpenAI Responses upstream receives them',
      'reasoning.effort has no hub equivalent; only an OpenAI Responses upstream receives it',
      'text.verbosity has no hub equivalent; only an OpenAI Responses upstream receives it',
    ])
  })

  test('item references are refused; unknown items and file ids are dropped with a warning', () => {
    expect(() => decodeBody({ model: 'gpt-4.1', input: [{ type: 'item_reference', id: 'msg_1' }] }, inbound)).toThrow('item_reference is not supported')
    const { warnings } = decodeBody(
      {
        model: 'gpt-4.1',
        input: [
          { type: 'web_search_call', id: 'ws_1', status: 'completed' },
          { role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] },
        ],
      },
      inbound,
    )
    expect(warnings).toEqual([
      'input[0]: items of type "web_search_call" have no hub equivalent and were dropped',
      'input[1].content[0]: images given by file_id cannot cross the hub and were dropped',
    ])
  })
})

describe('encodeRequest', () => {
  test('round trip: a Responses request through the hub comes back as it was', () => {
    const original = {
      model: 'gpt-4.1',
      instructions: 'Be brief.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG_BASE64}`, detail: 'high' },
          ],
        },
        { role: 'assistant', content: 'Let me look.' },
        { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"png"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'A red pixel.' },
        { role: 'assistant', content: 'It is a red pixel.' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [
        {
          type: 'function',
          name: 'lookup',
          description: 'Look things up',
          parameters: { type: 'object', properties: { q: { type: 'string' } } },
          strict: false,
        },
        { type: 'web_search' },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_output_tokens: 500,
      temperature: 0.7,
      top_p: 0.95,
      user: 'user-7',
      reasoning: { effort: 'low', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      store: false,
      metadata: { team: 'search' },
      include: ['reasoning.encrypted_content'],
      stream: true,
    }
    expect(hub.encodeRequest(decodeBody(original, inbound).value).value).toEqual(original)
  })

  test('the exact body for a conversation with a system prompt, an image and a tool round trip', () => {
    const { value, warnings } = hub.encodeRequest(hubConversation)
    expect(value).toEqual({
      model: 'gpt-4.1-mini',
      instructions: 'You are terse.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in this picture, and what is the weather there?' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' },
          ],
        },
        { role: 'assistant', content: 'Paris. Checking the weather.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18°C, cloudy' },
      ],
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Current weather for a location',
          parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          strict: false,
        },
      ],
      tool_choice: 'auto',
      max_output_tokens: 300,
      temperature: 0.2,
    })
    expect(warnings).toEqual(['reasoning in assistant history cannot be sent to OpenAI Responses without its original item; it was dropped'])
  })

  test('parameters the Responses API lacks are dropped with a warning; Chat-only extras never reach it', () => {
    const { value, warnings } = hub.encodeRequest({
      model: 'gpt-4.1',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stop: ['END'],
      seed: 1,
      presencePenalty: 0.1,
      frequencyPenalty: 0.1,
      topK: 5,
      candidateCount: 2,
      reasoning: { budgetTokens: 4096, includeThoughts: true },
      extra: { 'openai.chat': { logit_bias: { '1': 1 } } },
    })
    expect(value).toEqual({
      model: 'gpt-4.1',
      input: [{ role: 'user', content: 'hi' }],
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    })
    expect(warnings).toEqual([
      'stop is not supported by OpenAI Responses and was dropped',
      'seed is not supported by OpenAI Responses and was dropped',
      'presence_penalty is not supported by OpenAI Responses and was dropped',
      'frequency_penalty is not supported by OpenAI Responses and was dropped',
      'top_k is not supported by OpenAI Responses and was dropped',
      'OpenAI Responses returns one answer; n / candidateCount was dropped',
      'reasoning budget of 4096 tokens approximated as reasoning effort "medium"',
    ])
  })
})
