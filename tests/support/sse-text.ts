import { createSseParser, type SseEvent } from '@hanggent/plugin-sdk'

// What a client reads from a streamed answer it holds as text: the gateway's own SSE parser, so tests
// compare events rather than framing.

/** The SSE events of a whole streamed body, an unterminated last event included. */
export function sseEventsOf(text: string): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((event) => events.push(event))
  parser.push(text)
  parser.end()
  return events
}
