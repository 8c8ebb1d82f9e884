import { describe, expect, test } from 'bun:test'
import type { HubChatRequest, HubMessage } from '@hanggent/plugin-sdk'
import { GeminiGenerateContentRequest } from '../../schemas/gemini-generate.ts'
import { validBody } from '../../tests/support/valid-body.ts'
import { geminiGenerateHub as hub } from './gemini-hub.ts'
import { FOREIGN_CALL_SIGNATURE } from './convert-to-gemini-contents.ts'
import { inboundRequest, PNG_BASE64 } from './gemini-test-support.ts'

type Json = Record<string, unknown>

const generate = inboundRequest('gemini-2.5-flash:generateContent')
/** Decodes a body as the relay hands it over: checked against the generate schema first. */
const decode = (body: Json, request = generate) => hub.decodeRequest(validBody(GeminiGenerateContentRequest, body), request)
const weatherSchema = {
  type: 'object',
  properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['location'],
  additionalProperties: false,
}

describe('decodeRequest', () => {
  test('every supported field in hub form; Gemini-only fields kept for a Gemini upstream, each with a warning', () => {
    const { value, warnings } = decode(
      {
        systemInstruction: { parts: [{ text: 'You are terse.' }] },
        contents: [
          {
            role: 'user',
            parts: [
              { text: 'What is in these?' },
              { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
              { fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
              { fileData: { mimeType: 'image/jpeg', fileUri: 'gs://bucket/cat.jpg' } },
              { inlineData: { mimeType: 'audio/mp3', data: 'SUQzBAAAAAAA' } },
            ],
          },
          {
            role: 'model',
            parts: [
              { text: 'I should look at the weather.', thought: true, thoughtSignature: 'sig-thought' },
              { text: 'A chart and a cat. Checking the weather.' },
              { functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: 'sig-call' },
            ],
          },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: '18°C, cloudy' } } }] },
        ],
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parametersJsonSchema: weatherSchema }] }, { googleSearch: {} }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
        generationConfig: {
          temperature: 0.4,
          topP: 0.9,
          topK: 32,
          candidateCount: 2,
          maxOutputTokens: 800,
          stopSequences: ['END'],
          seed: 7,
          presencePenalty: 0.1,
          frequencyPenalty: 0.2,
          responseMimeType: 'application/json',
          responseJsonSchema: { type: 'object' },
          thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
          responseModalities: ['TEXT'],
        },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
        cachedContent: 'cachedContents/abc',
      },
      inboundRequest('gemini-2.5-pro:streamGenerateContent', { query: '?alt=sse' }),
    )
    expect(value).toEqual({
      model: 'gemini-2.5-pro',
      stream: true,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', data: PNG_BASE64, mediaType: 'image/png' },
            { type: 'file', url: 'https://generativelanguage.googleapis.com/v1beta/files/abc123', mediaType: 'application/pdf' },
            { type: 'image', url: 'gs://bucket/cat.jpg', mediaType: 'image/jpeg' },
            { type: 'audio', data: 'SUQzBAAAAAAA', format: 'mp3' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'I should look at the weather.', signature: 'sig-thought', signatureOrigin: 'google' },
            { type: 'text', text: 'A chart and a cat. Checking the weather.' },
            { type: 'reasoning', text: '', signature: 'sig-call', signatureOrigin: 'google' },
            { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"location":"Paris"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_0', name: 'get_weather', content: '18°C, cloudy' }] },
      ],
      temperature: 0.4,
      topP: 0.9,
      topK: 32,
      candidateCount: 2,
      maxOutputTokens: 800,
      stop: ['END'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      responseFormat: { type: 'json_schema', name: 'response', schema: { type: 'object' } },
      reasoning: { budgetTokens: 2048, includeThoughts: true },
      tools: [{ name: 'get_weather', description: 'Current weather', parameters: weatherSchema }],
      toolChoice: { name: 'get_weather' },
      extra: {
        'gemini.generate': {
          safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
          cachedContent: 'cachedContents/abc',
          generationConfig: { responseModalities: ['TEXT'] },
          tools: [{ googleSearch: {} }],
        },
      },
    } satisfies HubChatRequest)
    expect(warnings).toEqual([
      '`safetySettings` has no hub equivalent; only a Gemini upstream receives it',
      '`cachedContent` has no hub equivalent; only a Gemini upstream receives it',
      '`generationConfig.responseModalities` has no hub equivalent; only a Gemini upstream receives it',
      'tools googleSearch have no hub equivalent; only a Gemini upstream receives them',
    ])
  })

  test('calls without ids get call_<n>; responses pair with the oldest unanswered call of their name, or with their own id', () => {
    const { value, warnings } = decode({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris and Lyon, and the time?' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { location: 'Paris' } } },
            { functionCall: { name: 'get_weather', args: { location: 'Lyon' } } },
            { functionCall: { id: 'time-1', name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'time-1', name: 'get_time', response: { time: '14:05' } } },
            { functionResponse: { name: 'get_weather', response: { temperature: 18 } } },
            { functionResponse: { name: 'get_weather', response: { temperature: 21 } } },
            { functionResponse: { name: 'get_stock', response: { error: 'market closed' } } },
          ],
        },
      ],
    })
    expect(value.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"location":"Paris"}' },
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Lyon"}' },
          { type: 'tool-call', id: 'time-1', name: 'get_time', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', callId: 'time-1', name: 'get_time', content: '{"time":"14:05"}' },
          { type: 'tool-result', callId: 'call_0', name: 'get_weather', content: '{"temperature":18}' },
          { type: 'tool-result', callId: 'call_1', name: 'get_weather', content: '{"temperature":21}' },
          { type: 'tool-result', callId: 'call_2', name: 'get_stock', content: 'market closed', isError: true },
        ],
      },
    ] satisfies HubMessage[])
    expect(warnings).toEqual(['contents[2].parts[3]: a functionResponse for "get_stock" answers no earlier functionCall; it was given a new call id'])
  })

  test('a user turn mixing function responses and text becomes a tool message, then a user message', () => {
    const { value } = decode({
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} } }] },
        { role: 'function', parts: [{ functionResponse: { name: 'lookup', response: { result: 'done' } } }, { text: 'Thanks, now summarise.' }] },
      ],
    })
    expect(value.messages.slice(1)).toEqual([
      { role: 'tool', content: [{ type: 'tool-result', callId: 'call_0', name: 'lookup', content: 'done' }] },
      { role: 'user', content: [{ type: 'text', text: 'Thanks, now summarise.' }] },
    ])
  })

  test('OpenAPI-subset parameters and responseSchema become JSON Schema (lower-case types, nullable as a null type)', () => {
    const { value } = decode({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'find',
              parameters: {
                type: 'OBJECT',
                properties: { query: { type: 'STRING', nullable: true }, tags: { type: 'ARRAY', items: { type: 'STRING' } } },
                required: ['query'],
              },
            },
            { name: 'ping' },
          ],
        },
      ],
      generationConfig: {
        responseMimeType: 'application/json',
        responseSchema: { type: 'ARRAY', items: { type: 'OBJECT', properties: { name: { type: 'STRING' } }, propertyOrdering: ['name'] } },
      },
    })
    expect(value.tools).toEqual([
      {
        name: 'find',
        parameters: {
          type: 'object',
          properties: { query: { type: ['string', 'null'] }, tags: { type: 'array', items: { type: 'string' } } },
          required: ['query'],
        },
      },
      { name: 'ping', parameters: { type: 'object', properties: {} } },
    ])
    expect(value.responseFormat).toEqual({
      type: 'json_schema',
      name: 'response',
      schema: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, propertyOrdering: ['name'] } },
    })
  })

  test.each([
    [{ mode: 'AUTO' }, 'auto', []],
    [{ mode: 'NONE' }, 'none', []],
    [{ mode: 'ANY' }, 'required', []],
    [{ mode: 'ANY', allowedFunctionNames: ['a'] }, { name: 'a' }, []],
    [
      { mode: 'ANY', allowedFunctionNames: ['a', 'b'] },
      'required',
      ['allowedFunctionNames with several names cannot be carried over; any declared function may be called'],
    ],
    [{ mode: 'VALIDATED' }, 'auto', ['function calling mode VALIDATED has no hub equivalent; sent as auto']],
    [{}, undefined, []],
  ])('functionCallingConfig %j → tool choice %j', (config, choice, warnings) => {
    const decoded = decode({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], toolConfig: { functionCallingConfig: config } })
    expect(decoded.value.toolChoice).toEqual(choice as HubChatRequest['toolChoice'])
    expect(decoded.warnings).toEqual(warnings)
  })

  test.each([
    [{ responseMimeType: 'application/json' }, { type: 'json_object' }],
    [{ responseMimeType: 'text/plain' }, { type: 'text' }],
    [{}, undefined],
  ])('response format of %j', (config, format) => {
    expect(decode({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: config }).value.responseFormat).toEqual(
      format as HubChatRequest['responseFormat'],
    )
  })

  test('an enum response type stays with the dialect', () => {
    const decoded = decode({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      generationConfig: { responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: ['a', 'b'] } },
    })
    expect(decoded.value.responseFormat).toBeUndefined()
    expect(decoded.value.extra).toEqual({
      'gemini.generate': { generationConfig: { responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: ['a', 'b'] } } },
    })
    expect(decoded.warnings).toEqual(['responseMimeType "text/x.enum" has no hub equivalent; only a Gemini upstream receives it'])
  })

  test('parts without a hub form become a text placeholder with a warning; code execution becomes fenced text', () => {
    const { value, warnings } = decode({
      contents: [
        { role: 'user', parts: [{ text: 'Run it' }, { videoMetadata: { startOffset: '1s' } }] },
        {
          role: 'model',
          parts: [{ executableCode: { language: 'PYTHON', code: 'print(1 + 1)' } }, { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '2\n' } }],
        },
      ],
    })
    expect(value.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Run it' },
          { type: 'text', text: '[unsupported Gemini part: videoMetadata]' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: '```python\nprint(1 + 1)\n```' },
          { type: 'text', text: '```\n2\n\n```' },
        ],
      },
    ])
    expect(warnings).toEqual([
      'contents[0].parts[1]: a part with videoMetadata has no hub equivalent; a text placeholder was sent instead',
      'contents[1].parts[0]: code-execution parts are carried as text',
      'contents[1].parts[1]: code-execution parts are carried as text',
    ])
  })
})

describe('encodeRequest', () => {
  const conversation: HubChatRequest = {
    model: 'gemini-2.5-flash',
    stream: true,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture, and what is the weather there?' },
          { type: 'image', data: PNG_BASE64, mediaType: 'image/png', detail: 'auto' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'The picture shows Paris; I need the weather.' },
          { type: 'text', text: 'Paris. Checking the weather.' },
          { type: 'tool-call', id: 'call_abc', name: 'get_weather', arguments: '{"location":"Paris"}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'call_abc', content: '18°C, cloudy' }] },
    ],
    tools: [
      {
        name: 'get_weather',
        description: 'Current weather for a location',
        parameters: { $schema: 'http://json-schema.org/draft-07/schema#', ...weatherSchema },
      },
    ],
    toolChoice: 'auto',
    maxOutputTokens: 300,
    temperature: 0.2,
    reasoning: { budgetTokens: 1024, includeThoughts: true },
  }

  test('system + image + tools + a tool round trip: exactly the body Gemini receives', () => {
    const { value, warnings } = hub.encodeRequest(conversation)
    expect(value).toEqual({
      systemInstruction: { parts: [{ text: 'You are terse.' }] },
      contents: [
        {
          role: 'user',
          parts: [{ text: 'What is in this picture, and what is the weather there?' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }],
        },
        {
          role: 'model',
          parts: [
            { text: 'The picture shows Paris; I need the weather.', thought: true },
            { text: 'Paris. Checking the weather.' },
            { functionCall: { name: 'get_weather', args: { location: 'Paris' } } },
          ],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: '18°C, cloudy' } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather for a location', parametersJsonSchema: weatherSchema }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: { temperature: 0.2, maxOutputTokens: 300, thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } },
    })
    expect(warnings).toEqual([])
  })

  test('tool results: JSON objects as they are, other text wrapped as {result}, errors as {error}; parallel results share one turn', () => {
    const { value, warnings } = hub.encodeRequest({
      model: 'gemini-2.5-flash',
      stream: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Lyon, and my stocks?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', id: 'a', name: 'get_weather', arguments: '{"location":"Paris"}' },
            { type: 'tool-call', id: 'b', name: 'get_weather', arguments: '{"location":"Lyon"}' },
            { type: 'tool-call', id: 'c', name: 'get_stocks', arguments: '' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'a', content: '{"temperature":18}' }] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'b', content: [{ type: 'text', text: '[21, "sunny"]' }] }] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'c', name: 'get_stocks', content: 'market closed', isError: true }] },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'zzz', content: 'orphan' }] },
      ],
    })
    expect(value.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Lyon, and my stocks?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { location: 'Paris' } } },
          { functionCall: { name: 'get_weather', args: { location: 'Lyon' } } },
          { functionCall: { name: 'get_stocks', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temperature: 18 } } },
          { functionResponse: { name: 'get_weather', response: { result: '[21, "sunny"]' } } },
          { functionResponse: { name: 'get_stocks', response: { error: 'market closed' } } },
          { functionResponse: { name: 'zzz', response: { result: 'orphan' } } },
        ],
      },
    ])
    expect(warnings).toEqual(['the result of call zzz names no function and answers no earlier call; its call id was sent as the function name'])
  })

  test('parameters, structured output and what Gemini lacks, each noted', () => {
    const { value, warnings } = hub.encodeRequest({
      model: 'gemini-2.0-flash',
      stream: false,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'image', url: 'https://example.com/cat.webp', detail: 'low' },
            { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', name: 'a.pdf' },
            { type: 'audio', data: 'UklGRg==', format: 'wav' },
          ],
        },
        { role: 'system', content: [{ type: 'text', text: 'Late system note.' }] },
        { role: 'user', content: [{ type: 'text', text: '' }] },
      ],
      tools: [{ name: 'noop', parameters: { type: 'object', properties: {} }, strict: true }],
      toolChoice: { name: 'noop' },
      parallelToolCalls: false,
      topP: 0.5,
      topK: 40,
      stop: ['x'],
      seed: 1,
      presencePenalty: 0.5,
      frequencyPenalty: 0.5,
      candidateCount: 2,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
      user: 'user-42',
    })
    expect(value).toEqual({
      systemInstruction: { parts: [{ text: 'Late system note.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Hi' },
            { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp' } },
            { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
            { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'noop' }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['noop'] } },
      generationConfig: {
        topP: 0.5,
        topK: 40,
        candidateCount: 2,
        stopSequences: ['x'],
        seed: 1,
        presencePenalty: 0.5,
        frequencyPenalty: 0.5,
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', properties: { a: { type: 'string' } } },
      },
    })
    expect(warnings).toEqual([
      'image detail "low" has no Gemini equivalent and was dropped',
      'messages[1] is a system message inside the conversation; Gemini takes system text only in systemInstruction, where it was moved',
      'messages[2] has nothing Gemini can take and was left out',
      'tool "noop": strict has no Gemini equivalent and was dropped',
      'parallel_tool_calls=false has no Gemini equivalent; the model may still call several functions at once',
      'user has no Gemini equivalent and was dropped',
    ])
  })

  test('json_object asks for JSON; a tool choice without tools is left out', () => {
    const { value } = hub.encodeRequest({
      model: 'gemini-2.5-flash',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      responseFormat: { type: 'json_object' },
      toolChoice: 'required',
    })
    expect(value).toEqual({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'application/json' } })
  })

  test('signatures: on thought parts, handed from empty reasoning to the next part, or to the last one', () => {
    const { value } = hub.encodeRequest({
      model: 'gemini-2.5-flash',
      stream: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'x' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Hm.', signature: 's1', signatureOrigin: 'google' },
            { type: 'reasoning', text: '', signature: 's2', signatureOrigin: 'google' },
            { type: 'tool-call', id: 'c', name: 'f', arguments: '{}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'c', content: 'ok' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Done.' },
            { type: 'reasoning', text: '', signature: 's3', signatureOrigin: 'google' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'secret', redacted: true },
            { type: 'text', text: 'More.' },
          ],
        },
      ],
    })
    expect((value.contents as Json[]).slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { text: 'Hm.', thought: true, thoughtSignature: 's1' },
          { functionCall: { name: 'f', args: {} }, thoughtSignature: 's2' },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { result: 'ok' } } }] },
      { role: 'model', parts: [{ text: 'Done.', thoughtSignature: 's3' }] },
      { role: 'model', parts: [{ text: 'More.' }] },
    ])
  })

  test('Gemini 3: a function-call turn without any signature gets the documented placeholder on its first call', () => {
    const messages: HubMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'a', name: 'f', arguments: '{}' },
          { type: 'tool-call', id: 'b', name: 'g', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', callId: 'a', content: '1' },
          { type: 'tool-result', callId: 'b', content: '2' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: '', signature: 'real', signatureOrigin: 'google' },
          { type: 'tool-call', id: 'c', name: 'f', arguments: '{}' },
        ],
      },
    ]
    const three = hub.encodeRequest({ model: 'gemini-3-pro-preview', stream: false, messages }).value.contents as Json[]
    expect(three[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: FOREIGN_CALL_SIGNATURE }, { functionCall: { name: 'g', args: {} } }],
    })
    expect(three[3]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'real' }] })
    const two = hub.encodeRequest({ model: 'gemini-2.5-flash', stream: false, messages }).value.contents as Json[]
    expect(two[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }, { functionCall: { name: 'g', args: {} } }] })
  })
})

describe('round trips', () => {
  test('Gemini request → hub → Gemini request keeps every supported field', () => {
    const body = {
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in English.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Look:' },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
            { fileData: { mimeType: 'video/mp4', fileUri: 'https://www.youtube.com/watch?v=x' } },
            { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
          ],
        },
        {
          role: 'model',
          parts: [
            { text: 'Thinking about it.', thought: true, thoughtSignature: 'sig-1' },
            { text: 'A dog.' },
            { functionCall: { name: 'breed', args: { photo: 1 } }, thoughtSignature: 'sig-2' },
            { functionCall: { name: 'age', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'breed', response: { breed: 'corgi' } } }, { functionResponse: { name: 'age', response: { result: 'three' } } }],
        },
        { role: 'model', parts: [{ text: 'A three-year-old corgi.', thoughtSignature: 'sig-3' }] },
        { role: 'user', parts: [{ text: 'Thanks!' }] },
      ],
      tools: [
        {
          functionDeclarations: [
            { name: 'breed', description: 'Dog breed', parametersJsonSchema: { type: 'object', properties: { photo: { type: 'integer' } } } },
            { name: 'age' },
          ],
        },
        { codeExecution: {} },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['breed'] } },
      generationConfig: {
        temperature: 1,
        topP: 0.95,
        topK: 64,
        candidateCount: 1,
        maxOutputTokens: 2048,
        stopSequences: ['STOP!'],
        seed: 3,
        presencePenalty: 0,
        frequencyPenalty: 0,
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
        thinkingConfig: { thinkingBudget: 512, includeThoughts: true },
        mediaResolution: 'MEDIA_RESOLUTION_LOW',
      },
      safetySettings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_ONLY_HIGH' }],
      cachedContent: 'cachedContents/xyz',
    }
    const decoded = decode(body, inboundRequest('gemini-2.5-flash:generateContent'))
    expect(hub.encodeRequest(decoded.value).value).toEqual(body)
  })

  test('hub → Gemini → hub keeps the conversation (call ids as Gemini would number them)', () => {
    const request: HubChatRequest = {
      model: 'gemini-2.5-flash',
      stream: false,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', data: PNG_BASE64, mediaType: 'image/png' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Paris.', signature: 'sig', signatureOrigin: 'google' },
            { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"location":"Paris"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', callId: 'call_0', name: 'get_weather', content: '{"temperature":18}' }] },
        { role: 'assistant', content: [{ type: 'text', text: '18°C.' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: weatherSchema }],
      toolChoice: 'required',
      maxOutputTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      topK: 10,
      stop: ['\n\n'],
      seed: 4,
      presencePenalty: 0.1,
      frequencyPenalty: 0.1,
      candidateCount: 1,
      responseFormat: { type: 'json_schema', name: 'response', schema: { type: 'object' } },
      reasoning: { budgetTokens: 2048, includeThoughts: true },
    }
    const encoded = hub.encodeRequest(request).value
    expect(decode(encoded).value).toEqual(request)
  })
})
