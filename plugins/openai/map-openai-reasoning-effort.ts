import type { HubReasoning } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort and
// https://platform.openai.com/docs/guides/reasoning — efforts minimal|low|medium|high, and `none`
// (gpt-5.1 and later) to turn reasoning off. Budgets (Claude, Gemini) map to the nearest effort.

const EFFORTS = new Set(['minimal', 'low', 'medium', 'high'])
const LOW_BUDGET_LIMIT = 1024
const MEDIUM_BUDGET_LIMIT = 8192

/** An OpenAI `reasoning_effort` / `reasoning.effort` value as hub reasoning; undefined when it has no hub form. */
export function decodeReasoningEffort(effort: unknown): HubReasoning | undefined {
  if (effort === 'none') return { enabled: false }
  if (typeof effort === 'string' && EFFORTS.has(effort)) return { effort: effort as HubReasoning['effort'] }
  return undefined
}

/** The OpenAI effort for hub reasoning, with a warning when it had to be approximated from a budget. */
export function encodeReasoningEffort(reasoning: HubReasoning | undefined): { effort?: string; warning?: string } {
  if (!reasoning) return {}
  if (reasoning.effort) return { effort: reasoning.effort }
  if (reasoning.enabled === false) return { effort: 'none' }
  const budget = reasoning.budgetTokens
  if (budget === undefined) return {}
  const effort = budget <= LOW_BUDGET_LIMIT ? 'low' : budget <= MEDIUM_BUDGET_LIMIT ? 'medium' : 'high'
  return { effort, warning: `reasoning budget of ${budget} tokens approximated as reasoning effort "${effort}"` }
}
