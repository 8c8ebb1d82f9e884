import { describe, expect, test } from 'bun:test'
import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent } from '@hanggent/plugin-sdk'
import { decodeSse, encodeSse, type SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { openAICompletionsHub } from './openai-completions-hub.ts'

// Legacy completions ⇄ hub, pure: the request mapping and its refusals, the text_completion answer
// and stream, and the recorded legacy fixtures read back into the hub.

const env: ConversionEnv = { now: () => 1_748_736_000_000, newId: (prefix) => `${prefix}test` }

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items
}

describe('legacy completions through the hub', () => {
  test('a request becomes one user message; stop, n, sampling and the default of 16 tokens carry over; other fields stay for a Chat upstream', () => {
    const { value, warnings } = openAICompletionsHub.decodeRequest(
      { model: 'gpt-4o-mini', prompt: ['Once upon'], stop: 'END', n: 2, temperature: 0.5, logit_bias: { 1: -100 } },
      {} as never,
    )
    expect(value).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Once upon' }] }],
      stream: false,
      maxOutputTokens: 16,
      temperature: 0.5,
      stop: ['END'],
      candidateCount: 2,
      extra: { 'openai.chat': { logit_bias: { 1: -100 } } },
    })
    expect(warnings).toEqual(['`logit_bias` has no hub equivalent; only an OpenAI Chat upstream receives it'])
  })

  test('what a chat model cannot honour is a 400 naming the parameter', () => {
    const refused = (extra: Record<string, unknown>) => {
      try {
        openAICompletionsHub.decodeRequest({ model: 'm', prompt: 'p', ...extra }, {} as never)
        return undefined
      } catch (error) {
        return error instanceof GatewayError ? [error.status, error.param] : error
      }
    }
    expect(refused({ suffix: 'tail' })).toEqual([400, 'suffix'])
    expect(refused({ echo: true })).toEqual([400, 'echo'])
    expect(refused({ logprobs: 0 })).toEqual([400, 'logprobs'])
    expect(refused({ best_of: 2 })).toEqual([400, 'best_of'])
    expect(refused({ prompt: ['a', 'b'] })).toEqual([400, 'prompt'])
    expect(refused({ prompt: [[1, 2]] })).toEqual([400, 'prompt'])
    expect(refused({ suffix: '', echo: false, logprobs: null, best_of: 2, n: 2 })).toBeUndefined()
  })

  test('a hub result is a text_completion: text only, finish reasons in the legacy words, usage', () => {
    const encoded = openAICompletionsHub.encodeResult(
      {
        id: 'chatcmpl-1',
        model: 'gpt-4o-mini',
        created: 1_748_736_000,
        choices: [
          {
            index: 0,
            content: [
              { type: 'reasoning', text: 'hmm' },
              { type: 'text', text: 'Paris.' },
            ],
            finishReason: 'stop',
          },
          { index: 1, content: [{ type: 'text', text: 'Par' }], finishReason: 'length' },
        ],
        usage: { inputTokens: 10, cacheReadTokens: 2, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 1 },
      },
      env,
    )
    expect(encoded).toEqual({
      id: 'cmpl-test',
      object: 'text_completion',
      created: 1_748_736_000,
      model: 'gpt-4o-mini',
      choices: [
        { text: 'Paris.', index: 0, logprobs: null, finish_reason: 'stop' },
        { text: 'Par', index: 1, logprobs: null, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    })
  })

  test('a hub stream is text_completion chunks, a finish chunk, usage in its own chunk, then [DONE]; an unfinished one ends in an error', async () => {
    const events: HubEvent[] = [
      { type: 'message-start', id: 'chatcmpl-1', model: 'gpt-4o-mini', created: 1_748_736_000 },
      { type: 'reasoning-delta', index: 0, text: 'hmm' },
      { type: 'text-delta', index: 0, text: 'Par' },
      { type: 'text-delta', index: 0, text: 'is.' },
      { type: 'finish', index: 0, reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 3, reasoningTokens: 0 } },
    ]
    const out = (await collect(openAICompletionsHub.encodeStream(from(events), env))).map((event) => event.data)
    expect(out.at(-1)).toBe('[DONE]')
    expect(out.slice(0, -1).map((data) => JSON.parse(data))).toEqual([
      {
        id: 'cmpl-test',
        object: 'text_completion',
        created: 1_748_736_000,
        model: 'gpt-4o-mini',
        choices: [{ text: 'Par', index: 0, logprobs: null, finish_reason: null }],
      },
      {
        id: 'cmpl-test',
        object: 'text_completion',
        created: 1_748_736_000,
        model: 'gpt-4o-mini',
        choices: [{ text: 'is.', index: 0, logprobs: null, finish_reason: null }],
      },
      {
        id: 'cmpl-test',
        object: 'text_completion',
        created: 1_748_736_000,
        model: 'gpt-4o-mini',
        choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
      },
      {
        id: 'cmpl-test',
        object: 'text_completion',
        created: 1_748_736_000,
        model: 'gpt-4o-mini',
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      },
    ])
    const cut = (await collect(openAICompletionsHub.encodeStream(from(events.slice(0, 3)), env))).map((event) => event.data)
    expect(cut.includes('[DONE]')).toBe(false)
    expect(JSON.parse(cut.at(-1) ?? '{}')).toMatchObject({ error: { code: 'bad_upstream_response' } })
  })

  test('the recorded legacy answer and stream read back into the hub', async () => {
    const result = openAICompletionsHub.decodeResult(loadFixture('openai', 'openai-completions.json'), env)
    expect(result.choices).toEqual([{ index: 0, content: [{ type: 'text', text: '\n\nThis is a test of the completions endpoint.' }], finishReason: 'stop' }])
    expect(result.usage).toMatchObject({ inputTokens: 5, outputTokens: 11 })
    const frames =
      loadChunks('openai', 'openai-completions.chunks.txt')
        .map((chunk) => encodeSse({ data: JSON.stringify(chunk) }))
        .join('') + encodeSse({ data: '[DONE]' })
    const events = await collect(openAICompletionsHub.decodeStream(decodeSse(from([new TextEncoder().encode(frames)])) as AsyncIterable<SseEvent>, env))
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('')
    expect(text).toBe('\n\nThis is a test.')
    expect(events.filter((event) => event.type === 'finish')).toEqual([{ type: 'finish', index: 0, reason: 'stop', rawReason: 'stop' }])
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { inputTokens: 5, outputTokens: 6 } })
  })
})
