import { afterAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import type { HubEvent, HubResult } from '@hanggent/plugin-sdk'
import { encodeSse, type SseEvent } from '@hanggent/plugin-sdk'
import { openAIChatHub } from './openai-chat-hub.ts'
import { openAIResponsesHub } from './openai-responses-hub.ts'
import { collect, streamOf, testEnv } from './openai-hub-test-support.ts'

// The official openai SDK reads what the encoders write, served as is by a bare HTTP server: the
// answers must parse, and the SDK's stream helpers must assemble the same answer as the hub events.

let next: { json?: unknown; sse?: SseEvent[] } = {}
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch() {
    if (next.sse) return new Response(next.sse.map(encodeSse).join(''), { headers: { 'content-type': 'text/event-stream' } })
    return Response.json(next.json)
  },
})
afterAll(() => server.stop(true))
const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${server.port}/v1`, maxRetries: 0 })

const usage = { inputTokens: 40, cacheReadTokens: 8, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 12 }
const answer: HubResult = {
  id: 'msg_01XYZ',
  model: 'claude-sonnet-4-5',
  created: 1_750_000_000,
  choices: [
    {
      index: 0,
      finishReason: 'tool-calls',
      content: [
        { type: 'reasoning', text: 'The user wants weather.' },
        { type: 'text', text: 'Let me check Paris and Lyon.' },
        { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'tool-call', id: 'call_b', name: 'get_weather', arguments: '{"location":"Lyon"}' },
      ],
    },
  ],
  usage,
}
const events: HubEvent[] = [
  { type: 'message-start', id: 'msg_01XYZ', model: 'claude-sonnet-4-5', created: 1_750_000_000 },
  { type: 'reasoning-delta', index: 0, text: 'The user ' },
  { type: 'reasoning-delta', index: 0, text: 'wants weather.' },
  { type: 'text-delta', index: 0, text: 'Let me check ' },
  { type: 'text-delta', index: 0, text: 'Paris and Lyon.' },
  { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":' },
  { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-start', index: 0, toolIndex: 1, id: 'call_b', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, toolIndex: 1, argumentsDelta: '{"location":"Lyon"}' },
  { type: 'finish', index: 0, reason: 'tool-calls' },
  { type: 'usage', usage },
]

describe('the openai SDK reads encoded Responses answers', () => {
  test('responses.create parses encodeResult; output_text and items are as the hub said', async () => {
    next = { json: openAIResponsesHub.encodeResult(answer, testEnv()) }
    const response = await client.responses.create({ model: 'claude-sonnet-4-5', input: 'Weather?' })
    expect(response.output_text).toBe('Let me check Paris and Lyon.')
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call'])
    expect(response.usage).toEqual({
      input_tokens: 48,
      input_tokens_details: { cached_tokens: 8, cache_write_tokens: 0 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 78,
    })
  })

  test('responses.stream assembles encodeStream into the same final response', async () => {
    next = { sse: await collect(openAIResponsesHub.encodeStream(streamOf(events), testEnv())) }
    const stream = client.responses.stream({ model: 'claude-sonnet-4-5', input: 'Weather?' })
    let text = ''
    let reasoning = ''
    let args = ''
    stream.on('response.output_text.delta', (event) => {
      text += event.delta
    })
    stream.on('response.reasoning_summary_text.delta', (event) => {
      reasoning += event.delta
    })
    stream.on('response.function_call_arguments.delta', (event) => {
      args += event.delta
    })
    const final = await stream.finalResponse()
    expect({ text, reasoning, args }).toEqual({
      text: 'Let me check Paris and Lyon.',
      reasoning: 'The user wants weather.',
      args: '{"location":"Paris"}{"location":"Lyon"}',
    })
    expect(final.output_text).toBe(text)
    expect(final.output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: reasoning }] },
      { type: 'message', status: 'completed', content: [{ type: 'output_text', text }] },
      { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"location":"Paris"}', status: 'completed' },
      { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"location":"Lyon"}', status: 'completed' },
    ])
    expect(final.usage?.total_tokens).toBe(78)
  })

  test('an error inside the stream surfaces as an SDK error with the message', async () => {
    next = {
      sse: await collect(
        openAIResponsesHub.encodeStream(
          streamOf<HubEvent>([...events.slice(0, 4), { type: 'error', status: 502, code: 'upstream_error', message: 'Upstream went away' }]),
          testEnv(),
        ),
      ),
    }
    const stream = client.responses.stream({ model: 'claude-sonnet-4-5', input: 'Weather?' })
    expect(await stream.finalResponse().catch((error: unknown) => (error as Error).message)).toContain('Upstream went away')
  })

  test('a length stop arrives as response.incomplete, which the SDK still completes', async () => {
    const cut: HubEvent[] = [events[0]!, events[3]!, { type: 'finish', index: 0, reason: 'length' }, { type: 'usage', usage }]
    next = { sse: await collect(openAIResponsesHub.encodeStream(streamOf(cut), testEnv())) }
    const final = await client.responses.stream({ model: 'claude-sonnet-4-5', input: 'Weather?' }).finalResponse()
    expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Let me check ' })
  })
})

describe('the openai SDK reads encoded Chat answers', () => {
  test('chat.completions.create parses encodeResult', async () => {
    next = { json: openAIChatHub.encodeResult(answer, testEnv()) }
    const completion = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Weather?' }] })
    expect(completion.choices[0]?.message.tool_calls?.map((call) => (call.type === 'function' ? call.function.arguments : ''))).toEqual([
      '{"location":"Paris"}',
      '{"location":"Lyon"}',
    ])
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
  })

  test('the chat stream helper assembles encodeStream into the same message', async () => {
    next = { sse: await collect(openAIChatHub.encodeStream(streamOf(events), testEnv())) }
    const final = await client.chat.completions
      .stream({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Weather?' }], stream_options: { include_usage: true } })
      .finalChatCompletion()
    expect(final.choices[0]?.message).toMatchObject({
      content: 'Let me check Paris and Lyon.',
      tool_calls: [
        { id: 'call_a', function: { arguments: '{"location":"Paris"}' } },
        { id: 'call_b', function: { arguments: '{"location":"Lyon"}' } },
      ],
    })
    expect(final.usage?.prompt_tokens).toBe(48)
  })
})
