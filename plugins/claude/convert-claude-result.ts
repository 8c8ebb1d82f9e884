import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubPart, HubResult } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import type { ClaudeContentBlock, ClaudeMessage, ClaudeUnknownBlock } from './claude-api.ts'
import { claudeMessageId } from './claude-message-id.ts'
import { convertClaudeUsage, toClaudeUsage } from './convert-claude-usage.ts'
import { encodeToolInput } from './encode-tool-input.ts'
import { mapClaudeStopReason, toClaudeStopReason } from './map-claude-stop-reason.ts'
import { isRecord, nowSeconds } from '@hanggent/plugin-sdk'
import { partsForClient } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/messages#response — one message, content blocks in order.
// Anthropic has no `n`: a result has one choice, and only the first hub choice is encoded. Server
// tool blocks (`server_tool_use`, `web_search_tool_result`) ran on Anthropic's side and are not
// calls the client must answer, so they do not cross the hub. Redacted thinking keeps its data as
// the reasoning signature, so it can be sent back unchanged.

function resultPart(block: ClaudeContentBlock | ClaudeUnknownBlock): HubPart | undefined {
  const known = block as ClaudeContentBlock
  switch (known.type) {
    case 'text':
      return { type: 'text', text: known.text }
    case 'thinking':
      return { type: 'reasoning', text: known.thinking, signature: known.signature, signatureOrigin: 'anthropic' }
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', signature: known.data, redacted: true, signatureOrigin: 'anthropic' }
    case 'tool_use':
      return { type: 'tool-call', id: known.id, name: known.name, arguments: JSON.stringify(known.input ?? {}) }
    default:
      return undefined
  }
}

/** An Anthropic message body as a hub result; anything else is a bad upstream answer. */
export function decodeClaudeResult(body: unknown, env: ConversionEnv): HubResult {
  const message = body as (Partial<ClaudeMessage> & { error?: unknown }) | null
  if (!isRecord(message) || !Array.isArray(message.content)) {
    const error = isRecord(message) && isRecord(message.error) ? message.error : undefined
    throw new GatewayError(502, 'bad_upstream_response', typeof error?.message === 'string' ? error.message : 'Upstream answered without a message')
  }
  const content = message.content.map(resultPart).filter((part) => part !== undefined)
  const stopReason = message.stop_reason ?? undefined
  const result: HubResult = {
    id: message.id ?? env.newId('msg_'),
    model: message.model || env.model || '',
    created: nowSeconds(env),
    choices: [{ index: 0, content, finishReason: mapClaudeStopReason(stopReason), ...(stopReason ? { rawFinishReason: stopReason } : {}) }],
  }
  if (isRecord(message.usage)) result.usage = convertClaudeUsage(message.usage)
  return result
}

function contentBlocks(parts: HubPart[]): ClaudeContentBlock[] {
  const ignored: string[] = []
  return parts.flatMap((part): ClaudeContentBlock[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ type: 'text', text: part.text }]
    if (part.type === 'reasoning' && part.redacted) return [{ type: 'redacted_thinking', data: part.signature ?? '' }]
    if (part.type === 'reasoning') return [{ type: 'thinking', thinking: part.text, signature: part.signature ?? '' }]
    if (part.type === 'tool-call') return [{ type: 'tool_use', id: part.id, name: part.name, input: encodeToolInput(part.arguments, part.name, ignored) }]
    return []
  })
}

/** A hub result as the message object Anthropic returns. */
export function encodeClaudeResult(result: HubResult, env: ConversionEnv): ClaudeMessage {
  const choice = result.choices[0]
  return {
    id: claudeMessageId(result.id, env),
    type: 'message',
    role: 'assistant',
    model: result.model,
    content: contentBlocks(partsForClient(choice?.content ?? [], 'anthropic')),
    stop_reason: toClaudeStopReason(choice?.finishReason ?? 'stop', choice?.rawFinishReason),
    stop_sequence: null,
    usage: toClaudeUsage(result.usage),
  }
}
