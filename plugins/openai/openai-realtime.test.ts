import { describe, expect, test } from 'bun:test'
import { buildOpenAIRealtimeSessionRequest, buildOpenAIRealtimeSocket, readOpenAIRealtimeUsage, webSocketUrl } from './openai-realtime.ts'
import { openAIPricing } from './pricing.ts'

const channel = {
  id: 1,
  type: 'openai',
  baseUrl: 'https://api.openai.com',
  key: 'sk-channel',
  settings: { organization: 'org-1' },
  config: { azureDefaultApiVersion: 'x' },
}

describe('readOpenAIRealtimeUsage', () => {
  test('splits a response.done usage into uncached and cached text, and audio quantities', () => {
    const usage = {
      total_tokens: 821,
      input_tokens: 789,
      output_tokens: 32,
      input_token_details: { text_tokens: 313, audio_tokens: 476, cached_tokens: 640, cached_tokens_details: { text_tokens: 256, audio_tokens: 384 } },
      output_token_details: { text_tokens: 9, audio_tokens: 23 },
    }
    const read = readOpenAIRealtimeUsage({ type: 'response.done', event_id: 'e1', response: { id: 'resp_1', status: 'completed', usage } })
    expect(read).toEqual({
      responseId: 'resp_1',
      status: 'completed',
      usage: {
        inputTokens: 57,
        cacheReadTokens: 256,
        cacheWriteTokens: 0,
        outputTokens: 9,
        reasoningTokens: 0,
        quantities: { audioInputTokens: 92, cachedAudioInputTokens: 384, audioOutputTokens: 23 },
        raw: usage,
      },
    })
  })

  test('without modality details every token is text; cached tokens without details are text', () => {
    const read = readOpenAIRealtimeUsage({
      type: 'response.done',
      response: { usage: { input_tokens: 100, output_tokens: 20, input_token_details: { cached_tokens: 30 } } },
    })
    expect(read?.usage).toMatchObject({
      inputTokens: 70,
      cacheReadTokens: 30,
      outputTokens: 20,
      quantities: { audioInputTokens: 0, cachedAudioInputTokens: 0, audioOutputTokens: 0 },
    })
  })

  test('other events, a response.done without usage and malformed counts read as nothing or zero', () => {
    expect(readOpenAIRealtimeUsage({ type: 'response.created', response: { usage: { input_tokens: 5 } } })).toBeUndefined()
    expect(readOpenAIRealtimeUsage({ type: 'response.done', response: { usage: null } })).toBeUndefined()
    expect(readOpenAIRealtimeUsage('response.done')).toBeUndefined()
    expect(readOpenAIRealtimeUsage({ type: 'response.done', response: { usage: { input_tokens: -4, output_tokens: 'x' } } })?.usage).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
    })
  })
})

describe('OpenAI realtime transport', () => {
  test('the socket URL is the base URL as ws(s) with /v1/realtime?model=, Bearer auth and organization; OpenAI-Beta only when the client sent it', () => {
    const plain = buildOpenAIRealtimeSocket({ channel, model: 'gpt-realtime', clientHeaders: new Headers() })
    expect(plain).toEqual({
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      headers: { authorization: 'Bearer sk-channel', 'openai-organization': 'org-1' },
    })
    const beta = buildOpenAIRealtimeSocket({
      channel: { ...channel, baseUrl: 'http://127.0.0.1:9/v1' },
      model: 'a b',
      clientHeaders: new Headers({ 'OpenAI-Beta': 'realtime=v1' }),
    })
    expect(beta.url).toBe('ws://127.0.0.1:9/v1/realtime?model=a%20b')
    expect(beta.headers['openai-beta']).toBe('realtime=v1')
    expect(webSocketUrl('HTTPS://x.example/v1')).toBe('wss://x.example/v1')
  })

  test('session requests go to /v1/realtime/<kind> with the client body', () => {
    const request = buildOpenAIRealtimeSessionRequest({
      channel,
      kind: 'client_secrets',
      model: 'gpt-realtime',
      body: { session: { model: 'gpt-realtime' } },
      clientHeaders: new Headers(),
    })
    expect(request).toMatchObject({ url: 'https://api.openai.com/v1/realtime/client_secrets', method: 'POST', headers: { authorization: 'Bearer sk-channel' } })
    expect(JSON.parse(String(request.body))).toEqual({ session: { model: 'gpt-realtime' } })
  })

  test('realtime list prices: audio per token through perUnit, text per 1M', () => {
    expect(openAIPricing['gpt-realtime*']).toEqual({
      inputPerMTok: 4,
      cacheReadPerMTok: 0.4,
      outputPerMTok: 16,
      perUnit: { audioInputTokens: 32 / 1_000_000, cachedAudioInputTokens: 0.4 / 1_000_000, audioOutputTokens: 64 / 1_000_000 },
    })
  })
})

describe('OpenAI realtime transcription sessions', () => {
  test('the socket asks for intent=transcription without a model, and a finished transcription reports its token usage', () => {
    const socket = buildOpenAIRealtimeSocket({ channel, model: 'gpt-4o-transcribe', clientHeaders: new Headers(), intent: 'transcription' })
    expect(socket.url).toBe('wss://api.openai.com/v1/realtime?intent=transcription')
    const usage = { type: 'tokens', total_tokens: 50, input_tokens: 45, input_token_details: { text_tokens: 5, audio_tokens: 40 }, output_tokens: 5 }
    const event = { type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_1', content_index: 0, transcript: 'hi', usage }
    expect(readOpenAIRealtimeUsage(event)).toEqual({
      responseId: 'item_1',
      status: 'completed',
      usage: { inputTokens: 45, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0, raw: usage },
    })
    // whisper-1 reports seconds: not metered.
    expect(readOpenAIRealtimeUsage({ ...event, usage: { type: 'duration', seconds: 3 } })).toBeUndefined()
  })
})
