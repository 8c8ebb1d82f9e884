import { describe, expect, test } from 'bun:test'
import type { HubResult } from '@hanggent/plugin-sdk'
import { hubEventsOfResult } from './response-path.ts'

describe('a whole answer as the events of a stream', () => {
  test('each choice in order: reasoning, text, tool calls numbered from 0 with their arguments, the finish; usage last', () => {
    const usage = { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 2 }
    const result: HubResult = {
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini',
      created: 1_700_000_000,
      choices: [
        {
          index: 0,
          finishReason: 'tool-calls',
          rawFinishReason: 'tool_calls',
          content: [
            { type: 'reasoning', text: 'Think.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
            { type: 'tool-call', id: 'call_b', name: 'time', arguments: '' },
          ],
        },
        { index: 1, finishReason: 'stop', content: [{ type: 'text', text: '' }] },
      ],
      usage,
    }
    expect(hubEventsOfResult(result)).toEqual([
      { type: 'message-start', id: 'chatcmpl-1', model: 'gpt-4o-mini', created: 1_700_000_000 },
      { type: 'reasoning-delta', index: 0, text: 'Think.', signature: 'sig' },
      { type: 'text-delta', index: 0, text: 'Checking.' },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_a', name: 'weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"city":"Paris"}' },
      { type: 'tool-call-start', index: 0, toolIndex: 1, id: 'call_b', name: 'time' },
      { type: 'finish', index: 0, reason: 'tool-calls', rawReason: 'tool_calls' },
      { type: 'finish', index: 1, reason: 'stop' },
      { type: 'usage', usage },
    ])
  })
})
