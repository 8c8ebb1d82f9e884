import { addStringOrParts, newPromptEstimate, type PromptEstimateInput } from '@hanggent/plugin-sdk'
import type { OpenAIChatRequest } from '../../schemas/openai-chat.ts'

// see https://platform.openai.com/docs/guides/vision (image token costs) and OpenAI's cookbook on
// counting chat tokens: about 3 tokens of framing per message plus 3 to prime the reply.

/** Framing tokens per message (or Responses input item). */
export const TOKENS_PER_MESSAGE = 3
const TOKENS_PER_NAME = 1
/** Tokens that prime the reply. */
export const REPLY_PRIMING_TOKENS = 3
/** A low-detail image. */
export const LOW_DETAIL_IMAGE_TOKENS = 85
/** A 1024×1024 high-detail image; we cannot see dimensions without downloading, so assume this. */
export const HIGH_DETAIL_IMAGE_TOKENS = 765
/** A rough cost for an audio part. */
export const AUDIO_PART_TOKENS = 200
/** A rough cost for an attached file. */
export const FILE_PART_TOKENS = 500
const TOKENS_PER_TOOL_CALL = 3

type Part = { type?: unknown; text?: unknown; image_url?: { detail?: unknown } }

function addPart(part: Part, estimate: PromptEstimateInput) {
  if (part.type === 'text' && typeof part.text === 'string') estimate.texts.push(part.text)
  else if (part.type === 'image_url') estimate.fixedTokens += part.image_url?.detail === 'low' ? LOW_DETAIL_IMAGE_TOKENS : HIGH_DETAIL_IMAGE_TOKENS
  else if (part.type === 'input_audio') estimate.fixedTokens += AUDIO_PART_TOKENS
  else if (part.type === 'file') estimate.fixedTokens += FILE_PART_TOKENS
}

/** What to count for a chat prompt: message texts, tool definitions and calls, plus framing overhead. */
export function estimateOpenAIChatPrompt(body: OpenAIChatRequest): PromptEstimateInput {
  const estimate = newPromptEstimate(REPLY_PRIMING_TOKENS)
  for (const message of body.messages) {
    estimate.fixedTokens += TOKENS_PER_MESSAGE
    if (message.name !== undefined) {
      estimate.texts.push(message.name)
      estimate.fixedTokens += TOKENS_PER_NAME
    }
    addStringOrParts(estimate, message.content, addPart)
    for (const call of message.tool_calls ?? []) {
      estimate.fixedTokens += TOKENS_PER_TOOL_CALL
      estimate.texts.push(call.function.name, call.function.arguments)
    }
  }
  if (body.tools !== undefined && body.tools.length > 0) estimate.texts.push(JSON.stringify(body.tools))
  const format = body.response_format
  if (format?.type === 'json_schema' && 'json_schema' in format && format.json_schema) estimate.texts.push(JSON.stringify(format.json_schema))
  return estimate
}

/** What to count for a legacy prompt or embeddings input; token-id arrays are counted by length. */
export function estimateOpenAIPromptInput(input: unknown): PromptEstimateInput {
  const estimate = newPromptEstimate()
  if (typeof input === 'string') estimate.texts.push(input)
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (typeof item === 'string') estimate.texts.push(item)
      else if (typeof item === 'number') estimate.fixedTokens += 1
      else if (Array.isArray(item)) estimate.fixedTokens += item.length
    }
  }
  return estimate
}
