import type { HubChatRequest, HubMessage } from '@hanggent/plugin-sdk'
import type { ClaudeThinkingConfig } from './claude-api.ts'

// see https://docs.claude.com/en/docs/build-with-claude/extended-thinking
// `budget_tokens` is at least 1024 and below `max_tokens`. Effort levels from other dialects map to
// budgets on the same thresholds the OpenAI encoder uses the other way (≤1024 low, ≤8192 medium).
// A budget that does not fit is adjusted with a warning instead of failing: lowered to 80% of
// max_tokens when that still leaves 1024, else max_tokens is raised to budget / 0.8 (New API's
// 1024 → 1280). With tools, Anthropic also requires the last assistant turn to begin with its
// signed thinking; history from clients that dropped it cannot have thinking on for this call.

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024
const BUDGET_SHARE = 0.8

const budgetByEffort: Record<NonNullable<NonNullable<HubChatRequest['reasoning']>['effort']>, number> = {
  minimal: MIN_THINKING_BUDGET,
  low: MIN_THINKING_BUDGET,
  medium: 8192,
  high: 24_576,
}

/** The thinking setting of an Anthropic request and the max_tokens it needs. */
export interface ThinkingPlan {
  thinking?: ClaudeThinkingConfig
  maxTokens: number
}

/** True when the last assistant turn calls tools without the signed thinking Anthropic requires before them. */
function unsignedToolTurn(messages: HubMessage[]): boolean {
  const last = messages.findLast((message) => message.role === 'assistant')
  if (!last?.content.some((part) => part.type === 'tool-call')) return false
  return !last.content.some((part) => part.type === 'reasoning' && part.signature)
}

function requestedBudget(request: HubChatRequest, maxTokens: number, warnings: string[]): number {
  const reasoning = request.reasoning ?? {}
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens
  if (reasoning.effort) {
    const budget = budgetByEffort[reasoning.effort]
    warnings.push(`reasoning effort "${reasoning.effort}" approximated as a thinking budget of ${budget} tokens`)
    return budget
  }
  return Math.max(MIN_THINKING_BUDGET, Math.floor(maxTokens * BUDGET_SHARE))
}

/** Fits the budget under max_tokens: lower the budget when the client chose max_tokens and there is room, else raise max_tokens. */
function fit(budget: number, maxTokens: number, clientMaxTokens: boolean, warnings: string[]): { budget: number; maxTokens: number } {
  if (budget < maxTokens) return { budget, maxTokens }
  const lowered = Math.floor(maxTokens * BUDGET_SHARE)
  if (clientMaxTokens && lowered >= MIN_THINKING_BUDGET) {
    warnings.push(`thinking budget of ${budget} tokens lowered to ${lowered} to stay below max_tokens (${maxTokens}), as Anthropic requires`)
    return { budget: lowered, maxTokens }
  }
  const raised = Math.ceil(budget / BUDGET_SHARE)
  if (clientMaxTokens)
    warnings.push(`max_tokens raised from ${maxTokens} to ${raised} to leave room above the thinking budget of ${budget} tokens, as Anthropic requires`)
  return { budget, maxTokens: raised }
}

/** The `thinking` field for hub reasoning, with max_tokens adjusted to fit it. */
export function planClaudeThinking(request: HubChatRequest, maxTokens: number, clientMaxTokens: boolean, warnings: string[]): ThinkingPlan {
  const reasoning = request.reasoning
  if (!reasoning) return { maxTokens }
  if (reasoning.enabled === false) return { thinking: { type: 'disabled' }, maxTokens }
  if (reasoning.enabled !== true && reasoning.effort === undefined && reasoning.budgetTokens === undefined) return { maxTokens }
  if (unsignedToolTurn(request.messages)) {
    warnings.push('thinking was turned off for this call: the last assistant turn calls tools without the signed thinking Anthropic requires before them')
    return { maxTokens }
  }
  let budget = requestedBudget(request, maxTokens, warnings)
  if (budget < MIN_THINKING_BUDGET) {
    warnings.push(`thinking budget of ${budget} tokens raised to Anthropic's minimum of ${MIN_THINKING_BUDGET}`)
    budget = MIN_THINKING_BUDGET
  }
  const fitted = fit(budget, maxTokens, clientMaxTokens, warnings)
  return { thinking: { type: 'enabled', budget_tokens: fitted.budget }, maxTokens: fitted.maxTokens }
}
