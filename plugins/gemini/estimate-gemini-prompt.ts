import { newPromptEstimate, type PromptEstimateInput } from '@hanggent/plugin-sdk'
import type { GeminiGenerateContentRequest, GeminiPart } from '../../schemas/gemini-generate.ts'

// see https://ai.google.dev/gemini-api/docs/tokens — an image up to 384 px a side is 258 tokens (larger ones
// are tiled at 258 tokens per 768 px tile); video is 263 and audio 32 tokens per second.
// The estimate only sizes the reservation (upstream usage settles the bill), so every inline or
// referenced medium counts as one 258-token image; each turn adds a small fixed overhead.

/** Tokens counted for one media part (inlineData or fileData). */
export const MEDIA_PART_TOKENS = 258
/** Tokens added per content turn (role and framing). */
export const TURN_OVERHEAD_TOKENS = 3

function addPart(part: GeminiPart, estimate: PromptEstimateInput) {
  if (typeof part.text === 'string') estimate.texts.push(part.text)
  if (part.functionCall) estimate.texts.push(part.functionCall.name, JSON.stringify(part.functionCall.args ?? {}))
  if (part.functionResponse) estimate.texts.push(part.functionResponse.name, JSON.stringify(part.functionResponse.response))
  if (part.executableCode) estimate.texts.push(part.executableCode.code)
  if (part.codeExecutionResult?.output) estimate.texts.push(part.codeExecutionResult.output)
  if (part.inlineData || part.fileData) estimate.fixedTokens += MEDIA_PART_TOKENS
}

/** The prompt of a generateContent body: system instruction, every part's text, function declarations, media at a fixed cost. */
export function estimateGeminiPrompt(body: GeminiGenerateContentRequest): PromptEstimateInput {
  const estimate = newPromptEstimate()
  for (const part of body.systemInstruction?.parts ?? []) addPart(part, estimate)
  for (const content of body.contents) {
    estimate.fixedTokens += TURN_OVERHEAD_TOKENS
    for (const part of content.parts) addPart(part, estimate)
  }
  const declarations = (body.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? [])
  if (declarations.length > 0) estimate.texts.push(JSON.stringify(declarations))
  return estimate
}
