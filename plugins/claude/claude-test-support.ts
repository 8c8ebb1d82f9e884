import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubEvent } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { loadChunks } from '../../tests/support/fixtures.ts'

// Helpers shared by the Claude plugin tests: a pinned clock and id source, and stream plumbing.

/** 2025-06-15T12:00:00Z, the pinned clock of the tests. */
export const TEST_NOW = 1_749_988_800_000

/** A conversion env with a fixed clock and counting ids (`msg_1`, `toolu_2`, …). */
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

/** A recorded stream fixture as the SSE events Anthropic sent (each named by its type). */
export function claudeSse(name: string): SseEvent[] {
  return loadChunks<{ type: string }>('claude', name).map((event) => ({ event: event.type, data: JSON.stringify(event) }))
}

/** SSE events parsed back into their JSON payloads, checking that every event name repeats the payload's type. */
export function payloads(events: SseEvent[]): Array<Record<string, unknown>> {
  return events.map((event) => {
    const payload = JSON.parse(event.data) as Record<string, unknown>
    if (payload.type !== event.event) throw new Error(`event "${event.event}" carries a payload of type "${String(payload.type)}"`)
    return payload
  })
}

/**
 * Hub events with what legitimately differs between encodings removed: vendor usage objects, raw
 * finish wording, and usage events before the last one (the hub takes the last as final; an encoder
 * cannot put a usage that arrives after message_start into the message_start it already sent).
 */
export function comparable(events: HubEvent[]): unknown[] {
  const lastUsage = events.findLastIndex((event) => event.type === 'usage')
  return events
    .filter((event, index) => event.type !== 'usage' || index === lastUsage)
    .map((event) => {
      if (event.type === 'usage') return { ...event, usage: { ...event.usage, raw: undefined } }
      if (event.type === 'finish') return { type: event.type, index: event.index, reason: event.reason }
      return event
    })
}

/** The text a stream of hub events spells out, per kind. */
export function spelled(events: HubEvent[]): {
  text: string
  reasoning: string
  signatures: string[]
  calls: Array<{ id: string; name: string; arguments: string }>
} {
  const calls: Array<{ id: string; name: string; arguments: string }> = []
  const signatures: string[] = []
  let text = ''
  let reasoning = ''
  for (const event of events) {
    if (event.type === 'text-delta') text += event.text
    else if (event.type === 'reasoning-delta') {
      reasoning += event.text
      if (event.signature) signatures.push(event.signature)
    } else if (event.type === 'tool-call-start') calls[event.toolIndex] = { id: event.id, name: event.name, arguments: '' }
    else if (event.type === 'tool-call-delta') (calls[event.toolIndex] as { arguments: string }).arguments += event.argumentsDelta
  }
  return { text, reasoning, signatures, calls }
}

/** A tiny PNG, sent inline in the conversation below. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

/** The weather tool's JSON schema. */
export const weatherSchema = {
  type: 'object',
  properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['location'],
}

/** A hub request with a system prompt, an image, a tool and a full tool round trip, as another dialect would decode it. */
export const hubConversation: HubChatRequest = {
  model: 'claude-sonnet-4-5',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture, and what is the weather there?' },
        { type: 'image', data: PNG_BASE64, mediaType: 'image/png' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Paris. Checking the weather.' },
        { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'call_1', name: 'get_weather', content: '18°C, cloudy' }] },
  ],
  tools: [{ name: 'get_weather', description: 'Current weather for a location', parameters: weatherSchema }],
  toolChoice: 'auto',
  maxOutputTokens: 300,
  temperature: 0.2,
}
