import type { StreamTap, StreamTapResult } from '@hanggent/plugin-sdk'
import type { ClaudeStreamEvent, ClaudeUsage } from './claude-api.ts'
import { convertClaudeUsage, mergeClaudeUsage } from './convert-claude-usage.ts'
import { isRecord, parseJsonObject } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/docs/build-with-claude/streaming#event-types
// Input usage comes in message_start, output usage (cumulative; newer API versions repeat the input
// counters) in message_delta; message_stop is the end marker; an `error` event is a failure the
// upstream reports after the 200.

/** Watches a passthrough Messages stream for usage, output text, tool calls, the end and errors. */
export function createClaudeStreamTap(): StreamTap {
  const text: string[] = []
  let usage: ClaudeUsage | undefined
  let toolCalls = 0
  let completed = false
  let error: StreamTapResult['error']

  function observe(event: ClaudeStreamEvent) {
    switch (event.type) {
      case 'message_start':
        if (isRecord(event.message?.usage)) usage = mergeClaudeUsage(usage, event.message.usage)
        return
      case 'content_block_start': {
        const block = event.content_block as { type?: unknown; name?: unknown; text?: unknown; thinking?: unknown }
        if (block?.type === 'tool_use') toolCalls += 1
        for (const field of [block?.name, block?.text, block?.thinking]) if (typeof field === 'string') text.push(field)
        return
      }
      case 'content_block_delta': {
        const delta = event.delta as { text?: unknown; thinking?: unknown; partial_json?: unknown }
        for (const field of [delta?.text, delta?.thinking, delta?.partial_json]) if (typeof field === 'string') text.push(field)
        return
      }
      case 'message_delta':
        if (isRecord(event.usage)) usage = mergeClaudeUsage(usage, event.usage)
        return
      case 'message_stop':
        completed = true
        return
      case 'error': {
        const message = event.error?.message
        error = {
          message: typeof message === 'string' ? message : 'upstream stream error',
          code: typeof event.error?.type === 'string' ? event.error.type : undefined,
        }
      }
    }
  }

  return {
    onEvent(event) {
      const parsed = parseJsonObject<ClaudeStreamEvent>(event.data)
      if (!parsed) {
        error = { message: 'upstream sent a malformed stream event', code: 'bad_upstream_response' }
        return false
      }
      observe(typeof parsed.type === 'string' ? parsed : ({ ...(parsed as object), type: event.event } as ClaudeStreamEvent))
      return true
    },
    result: () => ({ usage: usage ? convertClaudeUsage(usage) : undefined, outputText: text.join(''), toolCalls, completed, error }),
  }
}
