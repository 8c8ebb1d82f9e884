import { describe, expect, test } from 'bun:test'
import { reasoningToContent, reasoningToContentResult } from './reasoning-to-content.ts'
import type { HubEvent } from '@hanggent/plugin-sdk'

async function collect(events: HubEvent[]): Promise<HubEvent[]> {
  const out: HubEvent[] = []
  async function* source() {
    yield* events
  }
  for await (const event of reasoningToContent(source())) out.push(event)
  return out
}

const text = (events: HubEvent[]) => events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('')

describe('reasoning to content', () => {
  test('wraps streamed reasoning in <think> before the answer', async () => {
    const out = await collect([
      { type: 'message-start', id: 'm', model: 'x', created: 0 },
      { type: 'reasoning-delta', index: 0, text: 'Let me ' },
      { type: 'reasoning-delta', index: 0, text: 'think.' },
      { type: 'text-delta', index: 0, text: 'Paris.' },
      { type: 'finish', index: 0, reason: 'stop' },
    ])
    expect(text(out)).toBe('<think>\nLet me think.\n</think>\nParis.')
    expect(out.some((event) => event.type === 'reasoning-delta')).toBe(false)
    expect(out.at(-1)).toEqual({ type: 'finish', index: 0, reason: 'stop' })
  })

  test('closes the tag when the stream finishes while still thinking, and skips signature-only deltas', async () => {
    const out = await collect([
      { type: 'reasoning-delta', index: 0, text: 'Hmm' },
      { type: 'reasoning-delta', index: 0, text: '', signature: 'sig' },
      { type: 'finish', index: 0, reason: 'length' },
    ])
    expect(text(out)).toBe('<think>\nHmm\n</think>\n')
  })

  test('leaves streams without reasoning alone', async () => {
    const events: HubEvent[] = [
      { type: 'text-delta', index: 0, text: 'Hi' },
      { type: 'finish', index: 0, reason: 'stop' },
    ]
    expect(await collect(events)).toEqual(events)
  })

  test('puts reasoning of a complete result in front of the answer', () => {
    const result = reasoningToContentResult({
      id: 'r',
      model: 'x',
      created: 0,
      choices: [
        {
          index: 0,
          finishReason: 'stop',
          content: [
            { type: 'reasoning', text: 'Because.' },
            { type: 'text', text: 'Yes.' },
          ],
        },
      ],
    })
    expect(result.choices[0]?.content).toEqual([
      { type: 'text', text: '<think>\nBecause.\n</think>\n' },
      { type: 'text', text: 'Yes.' },
    ])
  })
})
