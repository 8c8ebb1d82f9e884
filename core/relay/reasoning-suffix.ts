import type { HubChatRequest, HubReasoning } from '@hanggent/plugin-sdk'

// Model-name suffixes New API users rely on (see shared/REFERENCE.md, "Conversions"):
// `-high|-medium|-low|-minimal` → reasoning effort; `-thinking` → extended thinking;
// `-thinking-<budget>` → thinking with that budget; `-nothinking` → thinking off.

/** A model name split into what goes upstream and the reasoning the suffix asked for. */
export interface ReasoningSuffix {
  /** The model without its suffix. */
  model: string
  /** What the suffix asked for. */
  reasoning: HubReasoning
}

const SUFFIX = /^(.+?)-(?:(minimal|low|medium|high)|(nothinking)|thinking(?:-(\d+))?)$/

/** Recognises a reasoning suffix; undefined when the name has none. */
export function parseReasoningSuffix(model: string): ReasoningSuffix | undefined {
  const match = SUFFIX.exec(model)
  if (!match?.[1]) return undefined
  const [, base, effort, off, budget] = match
  if (effort) return { model: base, reasoning: { effort: effort as HubReasoning['effort'] } }
  if (off) return { model: base, reasoning: { enabled: false } }
  if (budget) return { model: base, reasoning: { enabled: true, budgetTokens: Number(budget), includeThoughts: true } }
  return { model: base, reasoning: { enabled: true, includeThoughts: true } }
}

/** Anthropic's minimum thinking budget. */
const MIN_THINKING_BUDGET = 1024
/** Output ceiling used when thinking is on and the client set none. */
const DEFAULT_THINKING_MAX_TOKENS = 8192

/**
 * Applies a suffix to a hub request. Claude needs an explicit budget: 80% of max_tokens (at least
 * 1024), with max_tokens defaulting to 8192; other providers keep a dynamic budget unless the suffix
 * named one.
 */
export function applyReasoningSuffix(request: HubChatRequest, suffix: ReasoningSuffix, upstreamDialect: string): HubChatRequest {
  const reasoning: HubReasoning = { ...request.reasoning, ...suffix.reasoning }
  const next: HubChatRequest = { ...request, model: suffix.model, reasoning }
  if (upstreamDialect === 'claude.messages' && reasoning.enabled && reasoning.budgetTokens === undefined) {
    const maxOutputTokens = request.maxOutputTokens ?? DEFAULT_THINKING_MAX_TOKENS
    next.maxOutputTokens = maxOutputTokens
    reasoning.budgetTokens = Math.max(MIN_THINKING_BUDGET, Math.floor(maxOutputTokens * 0.8))
  }
  return next
}
