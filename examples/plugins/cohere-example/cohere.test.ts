import { describe, expect, test } from 'bun:test'
import { decodeSse, type ConversionEnv, type HubChatRequest, type HubEvent } from '@hanggent/plugin-sdk'
import plugin from './index.ts'
import { convertToCohereRequest } from './convert-to-cohere-request.ts'
import { decodeCohereResult, decodeCohereStream } from './cohere-decode.ts'
import { cohereChunks, cohereFixture, cohereFrame } from './test/fixtures.ts'

// The plugin's codecs against Cohere's recorded answers, with no gateway: the request body of a tool
// round trip, complete and streamed answers (the stream cut at every byte offset), tool calls both ways.
// see https://docs.cohere.com/reference/chat and https://docs.cohere.com/docs/tool-use-streaming

const env: ConversionEnv = { now: () => 1_764_950_000_000, newId: (prefix) => `${prefix}generated` }

/** The hub events of a stream fixture whose bytes arrive in the given pieces. */
async function streamEvents(name: string, cut: (bytes: Uint8Array) => Uint8Array[]): Promise<HubEvent[]> {
  const bytes = new TextEncoder().encode(cohereChunks(name).map(cohereFrame).join(''))
  async function* pieces() {
    yield* cut(bytes)
  }
  const events: HubEvent[] = []
  for await (const event of decodeCohereStream(decodeSse(pieces()), env)) events.push(event)
  return events
}

const whole = (bytes: Uint8Array) => [bytes]

describe('Cohere requests', () => {
  test('a tool round trip: tools as functions, the call sent back on the assistant turn, the result as a tool message', () => {
    const request: HubChatRequest = {
      model: 'command-a-03-2025',
      stream: true,
      maxOutputTokens: 300,
      topP: 0.9,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are a weather bot.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'get_weather_k2m8x1p4q7r0', name: 'get_weather', arguments: '{"location":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'get_weather_k2m8x1p4q7r0', content: '{"temperature":"18","sky":"sunny"}' }] },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather in a location',
          parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
        },
      ],
      toolChoice: 'required',
    }
    expect(convertToCohereRequest(request)).toEqual({
      value: {
        model: 'command-a-03-2025',
        stream: true,
        max_tokens: 300,
        p: 0.9,
        tool_choice: 'REQUIRED',
        messages: [
          { role: 'system', content: 'You are a weather bot.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
          {
            role: 'assistant',
            tool_calls: [{ id: 'get_weather_k2m8x1p4q7r0', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'get_weather_k2m8x1p4q7r0', content: '{"temperature":"18","sky":"sunny"}' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather in a location',
              parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
            },
          },
        ],
      },
      warnings: [],
    })
  })
})

describe('Cohere answers', () => {
  test('a complete tool call: id, name and arguments kept, TOOL_CALL as tool-calls, billed units as usage', () => {
    const result = decodeCohereResult(cohereFixture('cohere-chat-tool-call.json'), env)
    expect(result.model).toBe('')
    expect(result.choices).toEqual([
      {
        index: 0,
        content: [{ type: 'tool-call', id: 'get_weather_k2m8x1p4q7r0', name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' }],
        finishReason: 'tool-calls',
        rawFinishReason: 'TOOL_CALL',
      },
    ])
    expect(result.usage).toMatchObject({ inputTokens: 312, outputTokens: 28 })
  })

  test('a complete answer after the tool result: its text, citations left aside', () => {
    const result = decodeCohereResult(cohereFixture('cohere-chat-tool-result.json'), env)
    expect(result.choices[0]?.content).toEqual([{ type: 'text', text: 'It is 18 °C and sunny in Paris.' }])
    expect(result.choices[0]?.finishReason).toBe('stop')
  })

  test('a streamed tool call: the plan is not answer text, one start, argument pieces, then usage and the finish', async () => {
    const events = await streamEvents('cohere-chat-tool-call.chunks.txt', whole)
    expect(events).toEqual([
      { type: 'message-start', id: '8f4a2c6e-1d3b-4e5f-9a7c-0b2d4f6e8a13', model: '', created: 1_764_950_000 },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'get_weather_7wq3n5t9b2v6', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"location":' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris","unit":' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"celsius"}' },
      {
        type: 'usage',
        usage: {
          inputTokens: 312,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          outputTokens: 28,
          reasoningTokens: 0,
          raw: { billed_units: { input_tokens: 312, output_tokens: 28 }, tokens: { input_tokens: 1150, output_tokens: 61 } },
        },
      },
      { type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'TOOL_CALL' },
    ])
  })

  test('a streamed answer: text deltas, citation events passed over', async () => {
    const events = await streamEvents('cohere-chat-tool-result.chunks.txt', whole)
    expect(events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('')).toBe('It is 18 °C and sunny in Paris.')
    expect(events.at(-1)).toEqual({ type: 'finish', index: 0, reason: 'stop', rawReason: 'COMPLETE' })
  })

  test('every stream decodes the same whatever byte its bytes are cut at, inside UTF-8 characters too', async () => {
    for (const name of ['cohere-chat-text.chunks.txt', 'cohere-chat-tool-call.chunks.txt', 'cohere-chat-tool-result.chunks.txt']) {
      const expected = await streamEvents(name, whole)
      const length = new TextEncoder().encode(cohereChunks(name).map(cohereFrame).join('')).length
      for (let offset = 1; offset < length; offset += 1) {
        const events = await streamEvents(name, (bytes) => [bytes.slice(0, offset), bytes.slice(offset)])
        if (JSON.stringify(events) !== JSON.stringify(expected)) throw new Error(`${name}: the events differ when the stream is cut at byte ${offset}`)
      }
    }
  })

  test('the manifest prices every model it lists', () => {
    expect(plugin.models.map((model) => model.id).filter((id) => !plugin.pricing[id])).toEqual([])
  })
})
