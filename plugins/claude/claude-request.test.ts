import { describe, expect, test } from 'bun:test'
import type { HubChatRequest, HubMessage } from '@hanggent/plugin-sdk'
import { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import { validBody } from '../../tests/support/valid-body.ts'
import { claudeMessagesHub } from './claude-hub.ts'
import { hubConversation, PNG_BASE64, weatherSchema } from './claude-test-support.ts'

type Json = Record<string, unknown>

const inbound = { headers: new Headers(), url: new URL('http://gateway/v1/messages'), params: {} }
/** The hub codec with decodeRequest fed as the relay feeds it: a body checked against the Messages schema first. */
const hub = {
  ...claudeMessagesHub,
  decodeRequest: (body: unknown, request: typeof inbound) => claudeMessagesHub.decodeRequest(validBody(ClaudeMessagesRequest, body), request),
}
const text = (value: string) => ({ type: 'text' as const, text: value })
const hubRequest = (patch: Partial<HubChatRequest>): HubChatRequest => ({
  model: 'claude-sonnet-4-5',
  stream: false,
  messages: [{ role: 'user', content: [text('hi')] }],
  ...patch,
})

describe('decodeRequest', () => {
  test('every supported field in hub form', () => {
    const { value, warnings } = hub.decodeRequest(
      {
        model: 'claude-sonnet-4-5',
        system: [text('You are terse.'), { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }],
        messages: [
          {
            role: 'user',
            content: [
              text('What is this?'),
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Look it up.', signature: 'sig-1' },
              { type: 'redacted_thinking', data: 'opaque-data' },
              text('Checking.'),
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }, text('And tomorrow?')] },
        ],
        max_tokens: 2048,
        temperature: 1,
        top_p: 0.99,
        top_k: 40,
        stop_sequences: ['END'],
        tools: [{ name: 'get_weather', description: 'Current weather', input_schema: weatherSchema }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        thinking: { type: 'enabled', budget_tokens: 1024 },
        metadata: { user_id: 'user-1' },
        stream: true,
      },
      inbound,
    )
    expect(warnings).toEqual([])
    expect(value).toEqual({
      model: 'claude-sonnet-4-5',
      stream: true,
      messages: [
        { role: 'system', content: [text('You are terse.')] },
        { role: 'system', content: [text('Answer in French.')], cacheControl: { type: 'ephemeral' } },
        {
          role: 'user',
          content: [
            text('What is this?'),
            { type: 'image', data: PNG_BASE64, mediaType: 'image/png' },
            { type: 'image', url: 'https://example.com/cat.png' },
            { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', name: 'a.pdf' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Look it up.', signature: 'sig-1', signatureOrigin: 'anthropic' },
            { type: 'reasoning', text: '', signature: 'opaque-data', redacted: true, signatureOrigin: 'anthropic' },
            text('Checking.'),
            { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'toolu_1', name: 'get_weather', content: '18°C' }] },
        { role: 'user', content: [text('And tomorrow?')] },
      ],
      maxOutputTokens: 2048,
      temperature: 1,
      topP: 0.99,
      topK: 40,
      stop: ['END'],
      tools: [{ name: 'get_weather', description: 'Current weather', parameters: weatherSchema }],
      toolChoice: 'required',
      parallelToolCalls: false,
      reasoning: { enabled: true, budgetTokens: 1024, includeThoughts: true },
      user: 'user-1',
    })
  })

  test('a block with cache_control ends a hub message, which carries it', () => {
    const { value } = hub.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Long manual.' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
              text('Question?'),
            ],
          },
        ],
      },
      inbound,
    )
    expect(value.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'file', data: Buffer.from('Long manual.').toString('base64'), mediaType: 'text/plain' }],
        cacheControl: { type: 'ephemeral', ttl: '1h' },
      },
      { role: 'user', content: [text('Question?')] },
    ])
  })

  test('tool results keep blocks, the error flag, and the name of the call they answer', () => {
    const { value } = hub.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'screenshot', input: {} }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_9',
                is_error: true,
                content: [text('Partial:'), { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }],
              },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_unknown' }] },
        ],
      },
      inbound,
    )
    expect(value.messages.slice(1)).toEqual([
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            callId: 'toolu_9',
            name: 'screenshot',
            isError: true,
            content: [text('Partial:'), { type: 'image', data: PNG_BASE64, mediaType: 'image/png' }],
          },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'toolu_unknown', content: '' }] },
    ])
  })

  test('fields, tools and metadata with no hub equivalent go to extra, each named in a warning', () => {
    const webSearch = { type: 'web_search_20250305', name: 'web_search', max_uses: 3 }
    const cachedTool = { name: 'lookup', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }
    const { value, warnings } = hub.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [cachedTool, webSearch],
        metadata: { user_id: 'u', team: 'search' },
        service_tier: 'auto',
        container: 'container_1',
      },
      inbound,
    )
    expect(value.tools).toEqual([{ name: 'lookup', parameters: { type: 'object' } }])
    expect(value.user).toBe('u')
    expect(value.extra).toEqual({
      'claude.messages': { service_tier: 'auto', container: 'container_1', tools: [cachedTool, webSearch], metadata: { team: 'search' } },
    })
    expect(warnings).toEqual([
      '`service_tier` has no hub equivalent; only an Anthropic upstream receives it',
      '`container` has no hub equivalent; only an Anthropic upstream receives it',
      'cache_control on tool "lookup" has no hub equivalent; only an Anthropic upstream receives it',
      'tool "web_search" of type "web_search_20250305" has no hub equivalent; only an Anthropic upstream receives it',
      'metadata fields other than user_id have no hub equivalent; only an Anthropic upstream receives them',
    ])
  })

  test('blocks the hub cannot hold are dropped with a warning naming them', () => {
    const { value, warnings } = hub.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'user', content: [text('Look:'), { type: 'image', source: { type: 'file', file_id: 'file_011' } }] },
          { role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } }, text('Found it.')] },
        ],
      },
      inbound,
    )
    expect(value.messages).toEqual([
      { role: 'user', content: [text('Look:')] },
      { role: 'assistant', content: [text('Found it.')] },
    ])
    expect(warnings).toEqual([
      'messages[0].content[1]: an image with a "file" source cannot cross the hub and was dropped',
      'messages[1].content[0]: a "server_tool_use" block in an assistant turn has no hub equivalent and was dropped',
    ])
  })

  test.each([
    [{ type: 'auto' }, { toolChoice: 'auto' }],
    [
      { type: 'auto', disable_parallel_tool_use: false },
      { toolChoice: 'auto', parallelToolCalls: true },
    ],
    [{ type: 'any' }, { toolChoice: 'required' }],
    [{ type: 'tool', name: 'get_weather' }, { toolChoice: { name: 'get_weather' } }],
    [{ type: 'none' }, { toolChoice: 'none' }],
  ] as const)('tool_choice %o → %o', (choice, expected) => {
    const { value } = hub.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'get_weather', input_schema: weatherSchema }],
        tool_choice: choice,
      },
      inbound,
    )
    expect({ toolChoice: value.toolChoice, parallelToolCalls: value.parallelToolCalls }).toEqual({ parallelToolCalls: undefined, ...expected })
  })

  test('thinking disabled turns reasoning off', () => {
    expect(
      hub.decodeRequest({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'disabled' } }, inbound).value.reasoning,
    ).toEqual({ enabled: false })
  })
})

describe('encodeRequest', () => {
  test('round trip: an Anthropic request through the hub comes back as it was', () => {
    const original = {
      model: 'claude-sonnet-4-5',
      system: [text('You are terse.'), { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            text('What is this?'),
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' }, title: 'report.pdf' },
            { type: 'text', text: 'Be precise.', cache_control: { type: 'ephemeral', ttl: '1h' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two cities to check.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque-data' },
            text('Checking both.'),
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Atlantis' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: [text('Unknown city')], is_error: true },
            text('And tomorrow?'),
          ],
        },
        { role: 'assistant', content: 'Sunny in Paris.' },
        { role: 'user', content: 'Thanks!' },
      ],
      max_tokens: 4096,
      temperature: 1,
      top_p: 0.99,
      stop_sequences: ['END'],
      tools: [
        { name: 'get_weather', description: 'Current weather', input_schema: weatherSchema },
        { name: 'search', input_schema: { type: 'object', properties: { q: { type: 'string' } } }, cache_control: { type: 'ephemeral' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      ],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      metadata: { user_id: 'user-7' },
      service_tier: 'auto',
      stream: true,
    }
    const decoded = hub.decodeRequest(original, inbound)
    const encoded = hub.encodeRequest(decoded.value)
    expect(encoded.value).toEqual(original)
    expect(encoded.warnings).toEqual([])
  })

  test('round trip: a hub request through Anthropic comes back the same', () => {
    const encoded = hub.encodeRequest(hubConversation)
    const decoded = hub.decodeRequest(encoded.value, inbound).value
    expect(decoded).toEqual(hubConversation)
  })

  test('the exact body for a conversation with a system prompt, an image and a tool round trip', () => {
    const { value, warnings } = hub.encodeRequest(hubConversation)
    expect(value).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'You are terse.',
      messages: [
        {
          role: 'user',
          content: [
            text('What is in this picture, and what is the weather there?'),
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
          ],
        },
        {
          role: 'assistant',
          content: [text('Paris. Checking the weather.'), { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18°C, cloudy' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Current weather for a location', input_schema: weatherSchema }],
      tool_choice: { type: 'auto' },
      max_tokens: 300,
      temperature: 0.2,
    })
    expect(warnings).toEqual([])
  })

  test('consecutive messages of one role merge so roles alternate; tool results merge into one user turn', () => {
    const messages: HubMessage[] = [
      { role: 'user', content: [text('a')] },
      { role: 'user', content: [text('b')] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'f', arguments: '{}' }] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_2', name: 'f', arguments: '{"x":1}' }] },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', content: 'one' }] },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'call_2', content: 'two' }] },
      { role: 'user', content: [text('next')] },
    ]
    const { value, warnings } = hub.encodeRequest(hubRequest({ messages }))
    expect(value.messages).toEqual([
      { role: 'user', content: [text('a'), text('b')] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
          { type: 'tool_use', id: 'call_2', name: 'f', input: { x: 1 } },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'one' }, { type: 'tool_result', tool_use_id: 'call_2', content: 'two' }, text('next')],
      },
    ])
    expect(warnings).toEqual([])
  })

  test('tool results are moved ahead of other user content, with a warning', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({
        messages: [
          { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'f', arguments: '{}' }] },
          { role: 'user', content: [text('by the way')] },
          { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', content: 'done' }] },
        ],
      }),
    )
    expect((value.messages as Json[])[1]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'done' }, text('by the way')],
    })
    expect(warnings).toEqual(['tool results were moved ahead of the other content of a user turn, as Anthropic requires'])
  })

  test('system messages are hoisted; empty turns are left out; cacheControl lands on the last block that can carry it', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({
        messages: [
          { role: 'system', content: [text('Rules.')], cacheControl: { type: 'ephemeral' } },
          { role: 'user', content: [text('hi')] },
          { role: 'assistant', content: [text('')] },
          { role: 'system', content: [text('Late rule.')] },
          {
            role: 'assistant',
            content: [text('Answer.'), { type: 'reasoning', text: 'why', signature: 'sig', signatureOrigin: 'anthropic' }],
            cacheControl: { type: 'ephemeral' },
          },
        ],
      }),
    )
    expect(value.system).toEqual([{ type: 'text', text: 'Rules.', cache_control: { type: 'ephemeral' } }, text('Late rule.')])
    expect(value.messages).toEqual([
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Answer.', cache_control: { type: 'ephemeral' } },
          { type: 'thinking', thinking: 'why', signature: 'sig' },
        ],
      },
    ])
    expect(warnings).toEqual([
      "a system message inside the conversation was moved into Anthropic's top-level system prompt",
      'an empty assistant message was left out (Anthropic rejects empty turns)',
    ])
  })

  test('parts Anthropic cannot take become placeholders with warnings; the user text always goes through', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({
        messages: [
          {
            role: 'user',
            content: [
              text('Summarise these.'),
              { type: 'audio', data: 'UklGRg==', format: 'wav' },
              { type: 'file', data: 'UEsDBA==', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: 'notes.docx' },
              { type: 'file', data: Buffer.from('plain notes').toString('base64'), mediaType: 'text/plain', name: 'notes.txt' },
              { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf' },
              { type: 'image', url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' },
            ],
          },
        ],
      }),
    )
    expect(value.messages).toEqual([
      {
        role: 'user',
        content: [
          text('Summarise these.'),
          text('[audio (wav) omitted: Anthropic does not accept audio input]'),
          text(
            '[file "notes.docx" (application/vnd.openxmlformats-officedocument.wordprocessingml.document) omitted: Anthropic does not accept this file type]',
          ),
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' }, title: 'notes.txt' },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
        ],
      },
    ])
    expect(warnings).toEqual([
      'an audio part (wav) cannot be sent to Anthropic; a placeholder was sent',
      'file "notes.docx" (application/vnd.openxmlformats-officedocument.wordprocessingml.document) cannot be sent to Anthropic (it takes PDF, plain text and images); a placeholder was sent',
      'image detail "low" has no Anthropic equivalent and was ignored',
    ])
  })

  test('max_tokens defaults to 8192 (4096 for Claude 3 models with that ceiling); stream and user are carried', () => {
    expect(hub.encodeRequest(hubRequest({ stream: true, user: 'u-1' })).value).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8192,
      metadata: { user_id: 'u-1' },
      stream: true,
    })
    expect(hub.encodeRequest(hubRequest({ model: 'claude-3-haiku-20240307' })).value.max_tokens).toBe(4096)
  })

  test('temperature above 1 is lowered to 1; whitespace-only stop sequences are dropped', () => {
    const { value, warnings } = hub.encodeRequest(hubRequest({ temperature: 1.5, stop: ['\n', 'END'] }))
    expect(value).toMatchObject({ temperature: 1, stop_sequences: ['END'] })
    expect(warnings).toEqual([
      'whitespace-only stop sequences were dropped: Anthropic refuses them',
      'temperature 1.5 was lowered to 1, the highest Anthropic accepts',
    ])
  })

  test('parameters Anthropic lacks are dropped with warnings', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({ seed: 1, presencePenalty: 0.1, frequencyPenalty: 0.2, candidateCount: 2, responseFormat: { type: 'json_object' }, stop: ['x'] }),
    )
    expect(value).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8192, stop_sequences: ['x'] })
    expect(warnings).toEqual([
      'seed is not supported by Anthropic Messages and was dropped',
      'presence_penalty is not supported by Anthropic Messages and was dropped',
      'frequency_penalty is not supported by Anthropic Messages and was dropped',
      'Anthropic Messages returns one answer; 2 were asked for',
      'response_format "json_object" is not supported by Anthropic Messages and was dropped',
    ])
  })

  test('tool ids are made acceptable to Anthropic the same way on both sides; bad arguments become {} with a warning', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({
        messages: [
          { role: 'assistant', content: [{ type: 'tool-call', id: 'functions.get_weather:0', name: 'get_weather', arguments: '{"location": "Par' }] },
          { role: 'tool', content: [{ type: 'tool-result', callId: 'functions.get_weather:0', content: 'n/a' }] },
        ],
      }),
    )
    expect(value.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 'functions_get_weather_0', name: 'get_weather', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'functions_get_weather_0', content: 'n/a' }] },
    ])
    expect(warnings).toEqual(['the arguments of a call to "get_weather" are not a JSON object; they were sent as {}'])
  })

  test.each([
    [{ toolChoice: 'none' }, { type: 'none' }],
    [
      { toolChoice: 'required', parallelToolCalls: true },
      { type: 'any', disable_parallel_tool_use: false },
    ],
    [{ toolChoice: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }],
    [{ parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    [{ parallelToolCalls: true }, undefined],
  ] as const)('tool choice %o → %o', (patch, expected) => {
    const tools = [{ name: 'get_weather', parameters: weatherSchema }]
    expect(hub.encodeRequest(hubRequest({ tools, ...patch })).value.tool_choice).toEqual(expected)
  })

  test('tool_choice is left out without tools (it means nothing and Anthropic refuses it)', () => {
    expect(hub.encodeRequest(hubRequest({ toolChoice: 'required', parallelToolCalls: false })).value).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8192,
    })
  })

  test('unsigned reasoning cannot go back to Anthropic and is dropped with a warning', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({
        messages: [
          { role: 'user', content: [text('q')] },
          { role: 'assistant', content: [{ type: 'reasoning', text: 'DeepSeek thoughts' }, text('a')] },
        ],
      }),
    )
    expect((value.messages as Json[])[1]).toEqual({ role: 'assistant', content: 'a' })
    expect(warnings).toEqual(['Anthropic accepts reasoning in history only with its signature; unsigned reasoning was dropped'])
  })
})

describe('thinking', () => {
  test('with thinking on, temperature, top_p below 0.95 and top_k are dropped with warnings', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({ reasoning: { enabled: true, budgetTokens: 2048 }, maxOutputTokens: 4096, temperature: 0.2, topP: 0.5, topK: 5 }),
    )
    expect(value).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    })
    expect(warnings).toEqual([
      'temperature 0.2 was dropped: Anthropic allows only 1 with thinking on',
      'top_p 0.5 was dropped: Anthropic allows only 0.95 to 1 with thinking on',
      'top_k was dropped: Anthropic does not allow it with thinking on',
    ])
  })

  test.each([
    [
      'budget lowered below the client max_tokens',
      { budgetTokens: 8000 },
      4096,
      { max_tokens: 4096, budget_tokens: 3276 },
      ['thinking budget of 8000 tokens lowered to 3276 to stay below max_tokens (4096), as Anthropic requires'],
    ],
    [
      'max_tokens raised when 80% of it is below the minimum budget',
      { budgetTokens: 1024 },
      1000,
      { max_tokens: 1280, budget_tokens: 1024 },
      ['max_tokens raised from 1000 to 1280 to leave room above the thinking budget of 1024 tokens, as Anthropic requires'],
    ],
    [
      'a budget under the minimum is raised',
      { budgetTokens: 500 },
      4000,
      { max_tokens: 4000, budget_tokens: 1024 },
      ["thinking budget of 500 tokens raised to Anthropic's minimum of 1024"],
    ],
    ['no client max_tokens: raised silently to fit the budget', { budgetTokens: 20_000 }, undefined, { max_tokens: 25_000, budget_tokens: 20_000 }, []],
    ['no budget: 80% of max_tokens', { enabled: true }, 10_000, { max_tokens: 10_000, budget_tokens: 8000 }, []],
    [
      'effort from another dialect',
      { effort: 'medium' },
      16_000,
      { max_tokens: 16_000, budget_tokens: 8192 },
      ['reasoning effort "medium" approximated as a thinking budget of 8192 tokens'],
    ],
  ] as const)('%s', (_name, reasoning, maxOutputTokens, expected, warnings) => {
    const encoded = hub.encodeRequest(hubRequest({ reasoning, maxOutputTokens }))
    expect({ max_tokens: encoded.value.max_tokens, budget_tokens: (encoded.value.thinking as { budget_tokens: number }).budget_tokens }).toEqual(expected)
    expect(encoded.warnings).toEqual([...warnings])
  })

  test('reasoning off is thinking disabled; includeThoughts alone asks for nothing', () => {
    expect(hub.encodeRequest(hubRequest({ reasoning: { enabled: false } })).value.thinking).toEqual({ type: 'disabled' })
    expect(hub.encodeRequest(hubRequest({ reasoning: { includeThoughts: true } })).value.thinking).toBeUndefined()
  })

  test('forced tool use is relaxed to auto with thinking on', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({ reasoning: { enabled: true, budgetTokens: 1024 }, tools: [{ name: 'f', parameters: {} }], toolChoice: { name: 'f' } }),
    )
    expect(value.tool_choice).toEqual({ type: 'auto' })
    expect(warnings).toEqual(['Anthropic does not allow forced tool use with thinking on; tool_choice was relaxed to auto'])
  })

  test('thinking is turned off when the last assistant turn calls tools without signed thinking', () => {
    const { value, warnings } = hub.encodeRequest(
      hubRequest({
        reasoning: { enabled: true, budgetTokens: 1024 },
        tools: [{ name: 'f', parameters: {} }],
        messages: [
          { role: 'user', content: [text('q')] },
          { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'f', arguments: '{}' }] },
          { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', content: 'r' }] },
        ],
      }),
    )
    expect(value.thinking).toBeUndefined()
    expect(warnings).toEqual([
      'thinking was turned off for this call: the last assistant turn calls tools without the signed thinking Anthropic requires before them',
    ])
  })
})
