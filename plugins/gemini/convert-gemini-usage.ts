import type { Usage } from '@hanggent/plugin-sdk'
import type { GeminiUsageMetadata } from '../../schemas/gemini-generate.ts'
import { tokenCount } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/generate-content#UsageMetadata
// `promptTokenCount` already includes `cachedContentTokenCount` (like OpenAI's prompt_tokens), so the
// cached part is split out, never added on top. Thinking tokens are reported apart from
// `candidatesTokenCount` but billed as output, so output = candidates + thoughts. Tool-use prompt
// tokens (e.g. Google Search results fed back to the model) are billed as input.

/** Converts Gemini usage metadata into hub usage, keeping the raw object. */
export function convertGeminiUsage(metadata: GeminiUsageMetadata): Usage {
  const prompt = tokenCount(metadata.promptTokenCount)
  const cached = Math.min(tokenCount(metadata.cachedContentTokenCount), prompt)
  const thoughts = tokenCount(metadata.thoughtsTokenCount)
  return {
    inputTokens: prompt - cached + tokenCount(metadata.toolUsePromptTokenCount),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(metadata.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
    raw: metadata,
  }
}

/** Hub usage as Gemini usage metadata; cache writes (Anthropic) count as ordinary prompt tokens here. */
export function toGeminiUsageMetadata(usage: Usage): GeminiUsageMetadata {
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
  const thoughts = Math.min(usage.reasoningTokens, usage.outputTokens)
  const candidates = usage.outputTokens - thoughts
  const metadata: GeminiUsageMetadata = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + thoughts }
  if (usage.cacheReadTokens > 0) metadata.cachedContentTokenCount = usage.cacheReadTokens
  if (thoughts > 0) metadata.thoughtsTokenCount = thoughts
  return metadata
}
