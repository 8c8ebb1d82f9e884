import type { ConversionEnv, InboundRequest } from '@hanggent/plugin-sdk'
import type { HubEvent } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { loadChunks } from '../../tests/support/fixtures.ts'

// Helpers shared by the Gemini tests: a pinned clock and id source, inbound requests, stream plumbing.

/** 2025-06-15T12:00:00Z, the pinned clock of the tests. */
export const TEST_NOW = 1_749_988_800_000

/** A conversion env with a fixed clock and counting ids (`1`, `call_2`, …). */
export function testEnv(): ConversionEnv {
  let counter = 0
  return { now: () => TEST_NOW, newId: (prefix) => `${prefix}${++counter}` }
}

/** An inbound Gemini request for `models/<model>:<action>`, with optional headers and query. */
export function inboundRequest(modelAction: string, init: { headers?: Record<string, string>; query?: string } = {}): InboundRequest {
  return { headers: new Headers(init.headers ?? {}), url: new URL(`http://gateway/v1beta/models/${modelAction}${init.query ?? ''}`), params: { modelAction } }
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

/** A recorded Gemini stream fixture as the SSE events Google sent (`alt=sse`, unnamed data events). */
export function geminiSse(name: string): SseEvent[] {
  return loadChunks('gemini', name).map((chunk) => ({ data: JSON.stringify(chunk) }))
}

/** Hub events with what legitimately differs between encodings removed: vendor usage objects and raw finish wording. */
export function comparable(events: HubEvent[]): unknown[] {
  return events.map((event) => {
    if (event.type === 'usage') return { ...event, usage: { ...event.usage, raw: undefined } }
    if (event.type === 'finish') return { type: event.type, index: event.index, reason: event.reason }
    return event
  })
}

/** What a stream of hub events spells out, per kind. */
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

/** A tiny PNG (1×1), sent inline in the conversations below. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
