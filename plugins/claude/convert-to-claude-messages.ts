import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import type { ClaudeContentBlock, ClaudeMessageParam, ClaudeTextBlock, ClaudeToolResultBlock } from './claude-api.ts'
import { fileToClaude, imageToClaude, placeholderBlock } from './claude-media.ts'
import { encodeToolInput } from './encode-tool-input.ts'
import { claudeToolId } from './claude-tool-id.ts'

// see https://docs.claude.com/en/api/messages#body-messages
// see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
// System messages become the top-level `system` blocks (hoisted, with a warning, when they came
// mid-conversation). Tool results go into `user` turns, ahead of any other content there, as
// Anthropic requires. Consecutive turns of one role are merged so roles alternate. A message's
// cacheControl lands on its last block (thinking blocks cannot carry one). Reasoning goes back only
// with its signature: Anthropic rejects thinking blocks it did not sign. Parts Anthropic cannot take
// become text placeholders with a warning, never silently disappear.

/** The system prompt and turns of an Anthropic request. */
export interface ClaudePrompt {
  system?: string | ClaudeTextBlock[]
  messages: ClaudeMessageParam[]
}

interface Turn {
  role: 'user' | 'assistant'
  blocks: ClaudeContentBlock[]
}

/** A block that accepts `cache_control` (every kind but the thinking ones). */
type CacheableBlock = Exclude<ClaudeContentBlock, { type: 'thinking' } | { type: 'redacted_thinking' }>

/** Blocks that accept `cache_control`. */
const cacheable = (block: ClaudeContentBlock): block is CacheableBlock => block.type !== 'thinking' && block.type !== 'redacted_thinking'

function applyCacheControl(blocks: ClaudeContentBlock[], message: HubMessage, warnings: string[]) {
  if (!message.cacheControl) return
  const target = blocks.findLast(cacheable)
  if (target) target.cache_control = message.cacheControl
  else warnings.push(`cache_control on a ${message.role} message with no block that can carry it was dropped`)
}

function resultContent(content: string | HubPart[], warnings: string[]): ClaudeToolResultBlock['content'] {
  if (typeof content === 'string') return content === '' ? undefined : content
  const blocks = content.flatMap((part) => contentBlock(part, 'tool result', warnings))
  return blocks.length > 0 ? blocks : undefined
}

function toolResultBlock(part: Extract<HubPart, { type: 'tool-result' }>, warnings: string[]): ClaudeToolResultBlock {
  const block: ClaudeToolResultBlock = { type: 'tool_result', tool_use_id: claudeToolId(part.callId) }
  const content = resultContent(part.content, warnings)
  if (content !== undefined) block.content = content
  if (part.isError) block.is_error = true
  return block
}

function reasoningBlock(part: Extract<HubPart, { type: 'reasoning' }>, warnings: string[]): ClaudeContentBlock[] {
  if (part.redacted && part.signature) return [{ type: 'redacted_thinking', data: part.signature }]
  if (part.signature && !part.redacted) return [{ type: 'thinking', thinking: part.text, signature: part.signature }]
  if (part.text !== '') warnings.push('Anthropic accepts reasoning in history only with its signature; unsigned reasoning was dropped')
  return []
}

/** The blocks of one hub part in a message of the given role (empty text is left out: Anthropic rejects it). */
function contentBlock(part: HubPart, role: string, warnings: string[]): ClaudeContentBlock[] {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [{ type: 'text', text: part.text }]
    case 'image':
      if (role === 'assistant') break
      return [imageToClaude(part, warnings)]
    case 'file':
      if (role === 'assistant') break
      return [fileToClaude(part, warnings)]
    case 'audio':
      warnings.push(`an audio part (${part.format}) cannot be sent to Anthropic; a placeholder was sent`)
      return [placeholderBlock(`audio (${part.format})`, 'Anthropic does not accept audio input')]
    case 'reasoning':
      if (role === 'assistant') return reasoningBlock(part, warnings)
      if (part.text !== '') warnings.push(`reasoning in a ${role} message cannot be sent to Anthropic and was dropped`)
      return []
    case 'tool-call':
      if (role === 'assistant')
        return [{ type: 'tool_use', id: claudeToolId(part.id), name: part.name, input: encodeToolInput(part.arguments, part.name, warnings) }]
      warnings.push(`a tool call in a ${role} message cannot be sent to Anthropic and was dropped`)
      return []
    case 'tool-result':
      if (role !== 'assistant') return [toolResultBlock(part, warnings)]
      warnings.push('a tool result in an assistant message cannot be sent to Anthropic and was dropped')
      return []
  }
  warnings.push(`a ${part.type} part in an assistant message cannot be sent to Anthropic; a placeholder was sent`)
  return [placeholderBlock(part.type, 'Anthropic does not accept it in assistant turns')]
}

function systemBlocks(messages: HubMessage[], warnings: string[]): ClaudeTextBlock[] {
  const blocks: ClaudeTextBlock[] = []
  let conversationStarted = false
  for (const message of messages) {
    if (message.role !== 'system') {
      conversationStarted = true
      continue
    }
    if (conversationStarted) warnings.push("a system message inside the conversation was moved into Anthropic's top-level system prompt")
    const own: ClaudeTextBlock[] = []
    for (const part of message.content) {
      if (part.type === 'text') {
        if (part.text !== '') own.push({ type: 'text', text: part.text })
      } else warnings.push(`a ${part.type} part in a system message cannot be sent to Anthropic and was dropped`)
    }
    applyCacheControl(own, message, warnings)
    blocks.push(...own)
  }
  return blocks
}

/** Merges consecutive turns of one role; in user turns, tool results go first as Anthropic requires. */
function mergeTurns(turns: Turn[], warnings: string[]): Turn[] {
  const merged: Turn[] = []
  for (const turn of turns) {
    const last = merged.at(-1)
    if (last && last.role === turn.role) last.blocks.push(...turn.blocks)
    else merged.push({ role: turn.role, blocks: [...turn.blocks] })
  }
  for (const turn of merged) {
    if (turn.role !== 'user') continue
    const results = turn.blocks.filter((block) => block.type === 'tool_result')
    const firstOther = turn.blocks.findIndex((block) => block.type !== 'tool_result')
    if (firstOther === -1 || !turn.blocks.slice(firstOther).some((block) => block.type === 'tool_result')) continue
    turn.blocks = [...results, ...turn.blocks.filter((block) => block.type !== 'tool_result')]
    warnings.push('tool results were moved ahead of the other content of a user turn, as Anthropic requires')
  }
  return merged
}

/** One-text-block turns are sent as a plain string, as clients usually write them. */
function messageParam(turn: Turn): ClaudeMessageParam {
  const only = turn.blocks[0]
  if (turn.blocks.length === 1 && only?.type === 'text' && !only.cache_control) return { role: turn.role, content: only.text }
  return { role: turn.role, content: turn.blocks }
}

/** Hub messages as Anthropic's system prompt and alternating turns, with notes on what could not be sent. */
export function convertToClaudeMessages(messages: HubMessage[]): { value: ClaudePrompt; warnings: string[] } {
  const warnings: string[] = []
  const system = systemBlocks(messages, warnings)
  const turns: Turn[] = []
  for (const message of messages) {
    if (message.role === 'system') continue
    const role = message.role === 'assistant' ? 'assistant' : 'user'
    const blocks = message.content.flatMap((part) => contentBlock(part, message.role, warnings))
    if (blocks.length === 0) {
      warnings.push(`an empty ${message.role} message was left out (Anthropic rejects empty turns)`)
      continue
    }
    applyCacheControl(blocks, message, warnings)
    turns.push({ role, blocks })
  }
  const value: ClaudePrompt = { messages: mergeTurns(turns, warnings).map(messageParam) }
  const onlySystem = system[0]
  if (system.length === 1 && onlySystem && !onlySystem.cache_control) value.system = onlySystem.text
  else if (system.length > 0) value.system = system
  return { value, warnings }
}
