import { addStringOrParts, newPromptEstimate, type PromptEstimateInput } from '@hanggent/plugin-sdk'
import type { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'

// see https://docs.claude.com/en/docs/build-with-claude/vision#evaluate-image-size (about
// width × height / 750 tokens; images are scaled down to about 1.15 megapixels, so at most ~1600),
// https://docs.claude.com/en/docs/build-with-claude/pdf-support (1,500–3,000 tokens of text per
// PDF page, plus each page as an image) and
// https://docs.claude.com/en/docs/agents-and-tools/tool-use/overview#pricing (a tool-use system
// prompt of about 346 tokens is added whenever tools are given). The estimate only sizes the
// reservation; upstream usage settles the charge.

const TOKENS_PER_MESSAGE = 3
/** An image at Anthropic's largest size; dimensions are unknown without decoding. */
const IMAGE_TOKENS = 1600
/** A PDF of a couple of pages; page counts are unknown without parsing. */
const DOCUMENT_TOKENS = 3000
const TOOL_USE_SYSTEM_PROMPT_TOKENS = 346

type Block = {
  type?: unknown
  text?: unknown
  thinking?: unknown
  name?: unknown
  input?: unknown
  content?: unknown
  source?: { type?: unknown; data?: unknown }
}

function addContent(content: unknown, estimate: PromptEstimateInput) {
  addStringOrParts(estimate, content, addBlock)
}

function addBlock(block: Block, estimate: PromptEstimateInput) {
  switch (block.type) {
    case 'text':
      if (typeof block.text === 'string') estimate.texts.push(block.text)
      return
    case 'thinking':
      if (typeof block.thinking === 'string') estimate.texts.push(block.thinking)
      return
    case 'image':
      estimate.fixedTokens += IMAGE_TOKENS
      return
    case 'document':
      if (block.source?.type === 'text' && typeof block.source.data === 'string') estimate.texts.push(block.source.data)
      else estimate.fixedTokens += DOCUMENT_TOKENS
      return
    case 'tool_use':
      if (typeof block.name === 'string') estimate.texts.push(block.name)
      estimate.texts.push(JSON.stringify(block.input ?? {}))
      return
    case 'tool_result':
      addContent(block.content, estimate)
  }
}

/** The parts of a Messages request (or a count_tokens request, which has no `max_tokens`) a prompt estimate reads. */
export type ClaudePrompt = Pick<ClaudeMessagesRequest, 'system' | 'messages' | 'tools'>

/** What to count for a Messages prompt: system, turns, tool calls and results, tool definitions, plus fixed costs. */
export function estimateClaudePrompt(body: ClaudePrompt): PromptEstimateInput {
  const estimate = newPromptEstimate()
  addContent(body.system, estimate)
  for (const message of body.messages) {
    estimate.fixedTokens += TOKENS_PER_MESSAGE
    addContent(message.content, estimate)
  }
  if (body.tools !== undefined && body.tools.length > 0) {
    estimate.texts.push(JSON.stringify(body.tools))
    estimate.fixedTokens += TOOL_USE_SYSTEM_PROMPT_TOKENS
  }
  return estimate
}
