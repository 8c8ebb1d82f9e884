import type { HubEvent, HubPart, HubResult } from '@hanggent/plugin-sdk'

// A channel's `thinkingToContent` setting: reasoning reaches the client as content wrapped in
// `<think>\n…\n</think>\n`, for clients that show no separate reasoning field (New API behaviour).

const OPEN = '<think>\n'
const CLOSE = '\n</think>\n'

/** Rewrites a hub stream so reasoning deltas become text deltas inside `<think>` tags. */
export async function* reasoningToContent(events: AsyncIterable<HubEvent>): AsyncGenerator<HubEvent> {
  const thinking = new Set<number>()
  for await (const event of events) {
    if (event.type === 'reasoning-delta') {
      if (event.text === '') continue
      const opening = !thinking.has(event.index)
      thinking.add(event.index)
      yield { type: 'text-delta', index: event.index, text: opening ? OPEN + event.text : event.text }
      continue
    }
    if ((event.type === 'text-delta' || event.type === 'finish' || event.type === 'tool-call-start') && thinking.has(event.index)) {
      thinking.delete(event.index)
      yield { type: 'text-delta', index: event.index, text: CLOSE }
    }
    yield event
  }
}

/** Rewrites a complete result the same way: reasoning parts become one `<think>` text part in front. */
export function reasoningToContentResult(result: HubResult): HubResult {
  return {
    ...result,
    choices: result.choices.map((choice) => {
      const reasoning = choice.content.filter(
        (part): part is Extract<HubPart, { type: 'reasoning' }> => part.type === 'reasoning' && !part.redacted && part.text !== '',
      )
      if (reasoning.length === 0) return choice
      const rest = choice.content.filter((part) => part.type !== 'reasoning')
      return { ...choice, content: [{ type: 'text', text: OPEN + reasoning.map((part) => part.text).join('') + CLOSE }, ...rest] }
    }),
  }
}
