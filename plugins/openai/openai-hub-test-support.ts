import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubEvent } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { loadChunks } from '../../tests/support/fixtures.ts'

// Helpers shared by the OpenAI hub tests: a pinned clock and id source, and stream plumbing.

/** 2025-06-15T12:00:00Z, the pinned clock of the tests. */
export const TEST_NOW = 1_749_988_800_000

/** A conversion env with a fixed clock and counting ids (`chatcmpl-1`, `msg_2`, …). */
export function testEnv(): ConversionEnv {
  let counter = 0
  return { now: () => TEST_NOW, newId: (prefix) => `${prefix}${++counter}` }
}

/** Yields the given items as an async stream. */
export async function* streamOf<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item
}

/** Drains an async stream into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

/** A recorded Chat stream fixture as the SSE events OpenAI sent, `[DONE]` included. */
export function chatSse(name: string): SseEvent[] {
  return [...loadChunks('openai', name).map((chunk) => ({ data: JSON.stringify(chunk) })), { data: '[DONE]' }]
}

/** A recorded Responses stream fixture as the SSE events OpenAI sent (named by type). */
export function responsesSse(name: string): SseEvent[] {
  return loadChunks<{ type: string }>('openai', name).map((event) => ({ event: event.type, data: JSON.stringify(event) }))
}

/** Hub events with what legitimately differs between encodings removed: vendor usage objects and raw finish wording. */
export function comparable(events: HubEvent[], options: { ignoreStartId?: boolean } = {}): unknown[] {
  return events.map((event) => {
    if (event.type === 'usage') return { ...event, usage: { ...event.usage, raw: undefined } }
    if (event.type === 'finish') return { type: event.type, index: event.index, reason: event.reason }
    if (event.type === 'message-start' && options.ignoreStartId) return { ...event, id: '*' }
    return event
  })
}

/** The text a stream of hub events spells out, per kind. */
export function spelled(events: HubEvent[]): { text: string; reasoning: string; calls: Array<{ id: string; name: string; arguments: string }> } {
  const calls: Array<{ id: string; name: string; arguments: string }> = []
  let text = ''
  let reasoning = ''
  for (const event of events) {
    if (event.type === 'text-delta') text += event.text
    else if (event.type === 'reasoning-delta') reasoning += event.text
    else if (event.type === 'tool-call-start') calls[event.toolIndex] = { id: event.id, name: event.name, arguments: '' }
    else if (event.type === 'tool-call-delta') (calls[event.toolIndex] as { arguments: string }).arguments += event.argumentsDelta
  }
  return { text, reasoning, calls }
}

/** A tiny PNG, sent inline in the conversation below. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

/** A hub request with a system prompt, an image, a tool and a full tool round trip, for outgoing-body tests. */
export const hubConversation: HubChatRequest = {
  model: 'gpt-4.1-mini',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture, and what is the weather there?' },
        { type: 'image', data: PNG_BASE64, mediaType: 'image/png', detail: 'low' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'The picture shows Paris; I need the weather.' },
        { type: 'text', text: 'Paris. Checking the weather.' },
        { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', name: 'get_weather', content: '18°C, cloudy' }] },
  ],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather for a location',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    },
  ],
  toolChoice: 'auto',
  maxOutputTokens: 300,
  temperature: 0.2,
}
