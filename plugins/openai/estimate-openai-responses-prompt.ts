import { addStringOrParts, newPromptEstimate, type PromptEstimateInput } from '@hanggent/plugin-sdk'
import {
  AUDIO_PART_TOKENS,
  FILE_PART_TOKENS,
  HIGH_DETAIL_IMAGE_TOKENS,
  LOW_DETAIL_IMAGE_TOKENS,
  REPLY_PRIMING_TOKENS,
  TOKENS_PER_MESSAGE,
} from './estimate-openai-prompt.ts'
import type { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'

// see https://platform.openai.com/docs/guides/images-vision#calculating-costs (image token costs)
// The same per-item framing and fixed part costs as the Chat estimate (estimate-openai-prompt.ts),
// applied to Responses input items: messages, function calls and outputs, reasoning summaries.

const TOKENS_PER_ITEM = TOKENS_PER_MESSAGE

type Json = Record<string, unknown>

function addPart(part: Json, estimate: PromptEstimateInput) {
  if (typeof part.text === 'string') estimate.texts.push(part.text)
  else if (part.type === 'input_image') estimate.fixedTokens += part.detail === 'low' ? LOW_DETAIL_IMAGE_TOKENS : HIGH_DETAIL_IMAGE_TOKENS
  else if (part.type === 'input_file') estimate.fixedTokens += FILE_PART_TOKENS
  else if (part.type === 'input_audio') estimate.fixedTokens += AUDIO_PART_TOKENS
}

function addParts(content: unknown, estimate: PromptEstimateInput) {
  addStringOrParts(estimate, content, addPart)
}

function addItem(item: Json, estimate: PromptEstimateInput) {
  estimate.fixedTokens += TOKENS_PER_ITEM
  if (item.type === 'function_call') {
    for (const field of [item.name, item.arguments]) if (typeof field === 'string') estimate.texts.push(field)
  } else if (item.type === 'function_call_output') addParts(item.output, estimate)
  else if (item.type === 'reasoning') addParts(item.summary, estimate)
  else addParts(item.content, estimate)
}

/** What to count for a Responses prompt: instructions, input items, tool definitions and the output schema. */
export function estimateOpenAIResponsesPrompt(body: OpenAIResponsesRequest): PromptEstimateInput {
  const estimate = newPromptEstimate(REPLY_PRIMING_TOKENS)
  if (typeof body.instructions === 'string') estimate.texts.push(body.instructions)
  if (typeof body.input === 'string') {
    estimate.fixedTokens += TOKENS_PER_ITEM
    estimate.texts.push(body.input)
  } else if (body.input !== undefined) for (const item of body.input) addItem(item, estimate)
  if (body.tools !== undefined && body.tools.length > 0) estimate.texts.push(JSON.stringify(body.tools))
  const format = body.text?.format
  if (format?.type === 'json_schema' && format.schema) estimate.texts.push(JSON.stringify(format.schema))
  return estimate
}
