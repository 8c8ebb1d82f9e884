import type { HubEvent, Usage } from '@hanggent/plugin-sdk'
import type { StreamTapResult } from '@hanggent/plugin-sdk'

/** Watches hub events on their way from the upstream decoder to the client encoder. */
export interface HubTap {
  /** Passes events through unchanged while noting usage, output and errors. */
  observe(events: AsyncIterable<HubEvent>): AsyncGenerator<HubEvent>
  /** What was seen so far. */
  result(): StreamTapResult
}

/** Builds a tap; the last `usage` event wins, as providers send cumulative usage. */
export function createHubTap(): HubTap {
  const text: string[] = []
  let usage: Usage | undefined
  let toolCalls = 0
  let completed = false
  let error: StreamTapResult['error']
  return {
    async *observe(events) {
      for await (const event of events) {
        if (event.type === 'text-delta' || event.type === 'reasoning-delta') text.push(event.text)
        else if (event.type === 'tool-call-start') {
          toolCalls += 1
          text.push(event.name)
        } else if (event.type === 'tool-call-delta') text.push(event.argumentsDelta)
        else if (event.type === 'usage') usage = event.usage
        else if (event.type === 'finish') completed = true
        else if (event.type === 'error') error = { message: event.message, code: event.code }
        yield event
      }
    },
    result: () => ({ usage, outputText: text.join(''), toolCalls, completed: completed && !error, error }),
  }
}
