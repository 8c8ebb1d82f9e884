import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import type { ClaudeCacheControl, ClaudeContentBlock, ClaudeMessageParam, ClaudeTextBlock, ClaudeToolResultBlock } from './claude-api.ts'
import type { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import { documentFromClaude, imageFromClaude } from './claude-media.ts'
import { isRecord } from '@hanggent/plugin-sdk'
import { signatureFromClient } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/messages#body-messages and
// https://docs.claude.com/en/docs/build-with-claude/prompt-caching
// Anthropic puts tool results in `user` turns; the hub gives them their own `tool` role, so a user
// turn holding tool results and text becomes a tool message followed by a user message (in block
// order). `cache_control` sits on blocks while the hub keeps it per message, so a turn is also split
// after every block that carries one: that block ends a hub message whose `cacheControl` it becomes.
// Encoding merges the pieces back into one turn with the marker on the same block.

type HubRole = HubMessage['role']

interface DecodeState {
  warnings: string[]
  /** Tool name of every tool_use seen so far, by id, so tool results can name their tool. */
  toolNames: Map<string, string>
}

/** Hub messages being assembled from the blocks of one Anthropic turn. */
class TurnSplitter {
  readonly messages: HubMessage[] = []
  private current: HubMessage | undefined

  /** Adds a converted block (none when it was dropped); a block with cache_control ends the message. */
  add(role: HubRole, part: HubPart | undefined, cacheControl: ClaudeCacheControl | undefined) {
    if (part) {
      if (this.current && this.current.role !== role) this.flush()
      this.current ??= { role, content: [] }
      this.current.content.push(part)
    }
    if (cacheControl && this.current) {
      this.current.cacheControl = cacheControl
      this.flush()
    }
  }

  /** Closes the message under way. */
  flush() {
    if (this.current) this.messages.push(this.current)
    this.current = undefined
  }
}

function cacheControlOf(block: object): ClaudeCacheControl | undefined {
  const cacheControl = 'cache_control' in block ? block.cache_control : undefined
  return isRecord(cacheControl) ? cacheControl : undefined
}

function textPart(block: ClaudeTextBlock, path: string, state: DecodeState): HubPart {
  if (block.citations) state.warnings.push(`${path}: citations have no hub equivalent and were dropped`)
  return { type: 'text', text: typeof block.text === 'string' ? block.text : '' }
}

function resultContent(content: ClaudeToolResultBlock['content'], path: string, state: DecodeState): string | HubPart[] {
  if (content === undefined || content === null) return ''
  if (typeof content === 'string') return content
  const parts: HubPart[] = []
  content.forEach((block, index) => {
    const part = userPart(block, `${path}[${index}]`, state)
    if (part && part.type !== 'tool-result') parts.push(part)
  })
  return parts
}

function toolResultPart(block: ClaudeToolResultBlock, path: string, state: DecodeState): HubPart {
  const part: Extract<HubPart, { type: 'tool-result' }> = {
    type: 'tool-result',
    callId: block.tool_use_id,
    content: resultContent(block.content, `${path}.content`, state),
  }
  const name = state.toolNames.get(block.tool_use_id)
  if (name !== undefined) part.name = name
  if (block.is_error === true) part.isError = true
  return part
}

function dropped(block: { type: string }, path: string, role: 'user' | 'assistant', state: DecodeState): undefined {
  state.warnings.push(`${path}: a "${block.type}" block in ${role === 'assistant' ? 'an assistant' : 'a user'} turn has no hub equivalent and was dropped`)
  return undefined
}

/** One block of a user turn (or of a tool result) in hub form. */
function userPart(block: ClaudeContentBlock, path: string, state: DecodeState): HubPart | undefined {
  switch (block.type) {
    case 'text':
      return textPart(block, path, state)
    case 'image':
      return imageFromClaude(block.source, path, state.warnings)
    case 'document':
      return documentFromClaude(block, path, state.warnings)
    case 'tool_result':
      return toolResultPart(block, path, state)
    default:
      return dropped(block, path, 'user', state)
  }
}

/** One block of an assistant turn in hub form; redacted thinking keeps its opaque data as the signature. */
function assistantPart(block: ClaudeContentBlock, path: string, state: DecodeState): HubPart | undefined {
  switch (block.type) {
    case 'text':
      return textPart(block, path, state)
    case 'thinking':
      return block.signature
        ? { type: 'reasoning', text: block.thinking ?? '', ...signatureFromClient(block.signature, 'anthropic') }
        : { type: 'reasoning', text: block.thinking ?? '', signature: block.signature }
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', signature: block.data, redacted: true, signatureOrigin: 'anthropic' }
    case 'tool_use':
      state.toolNames.set(block.id, block.name)
      return { type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }
    default:
      return dropped(block, path, 'assistant', state)
  }
}

function convertTurn(message: ClaudeMessageParam, index: number, state: DecodeState): HubMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: [{ type: 'text', text: message.content }] }]
  const splitter = new TurnSplitter()
  const blocks = Array.isArray(message.content) ? message.content : []
  blocks.forEach((block, position) => {
    const path = `messages[${index}].content[${position}]`
    const role: HubRole = message.role === 'assistant' ? 'assistant' : block.type === 'tool_result' ? 'tool' : 'user'
    const part = message.role === 'assistant' ? assistantPart(block, path, state) : userPart(block, path, state)
    splitter.add(role, part, cacheControlOf(block))
  })
  splitter.flush()
  return splitter.messages.length > 0 ? splitter.messages : [{ role: message.role, content: [] }]
}

/** The `system` field as hub system messages: one per block, each keeping its cache_control. */
export function convertFromClaudeSystem(system: ClaudeMessagesRequest['system']): HubMessage[] {
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: [{ type: 'text', text: system }] }]
  if (!Array.isArray(system)) return []
  return system.map((block): HubMessage => {
    const message: HubMessage = { role: 'system', content: [{ type: 'text', text: typeof block.text === 'string' ? block.text : '' }] }
    const cacheControl = cacheControlOf(block)
    if (cacheControl) message.cacheControl = cacheControl
    return message
  })
}

/** Anthropic turns in hub form, with notes on every block the hub could not hold. */
export function convertFromClaudeMessages(messages: ClaudeMessageParam[]): { messages: HubMessage[]; warnings: string[] } {
  const state: DecodeState = { warnings: [], toolNames: new Map() }
  return { messages: messages.flatMap((message, index) => convertTurn(message, index, state)), warnings: state.warnings }
}
