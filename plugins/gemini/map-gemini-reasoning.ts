import type { HubReasoning } from '@hanggent/plugin-sdk'
import type { GeminiThinkingConfig } from '../../schemas/gemini-generate.ts'
import { isRecord } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/gemini-api/docs/thinking#set-budget (2.5: thinkingBudget, 0 = off, -1 = dynamic;
// Pro 128–32768 and cannot be turned off, Flash 0–24576, Flash-Lite 512–24576)
// see https://ai.google.dev/gemini-api/docs/gemini-3#thinking_level (Gemini 3: thinkingLevel; Pro takes
// low|high, Flash also minimal|medium; thinking cannot be turned off; level and budget are exclusive)

type Effort = NonNullable<HubReasoning['effort']>

const EFFORTS = new Set<string>(['minimal', 'low', 'medium', 'high'])

/**
 * Budgets for an effort on budget-based (2.5) models. Gemini documents no effort scale; these follow
 * the budgets Google's own OpenAI-compatible endpoint uses for reasoning_effort (low 1024, medium 8192,
 * high 24576, the 2.5 Flash maximum), with `minimal` at Flash-Lite's floor.
 */
const BUDGET_BY_EFFORT: Record<Effort, number> = { minimal: 512, low: 1024, medium: 8192, high: 24576 }

/** The budget range of a 2.5 model, or undefined for models whose limits we do not know. */
function budgetLimits(model: string): { min: number; max: number; canDisable: boolean } | undefined {
  if (model.startsWith('gemini-2.5-pro')) return { min: 128, max: 32768, canDisable: false }
  if (model.startsWith('gemini-2.5-flash-lite') || model === 'gemini-flash-lite-latest') return { min: 512, max: 24576, canDisable: true }
  if (model.startsWith('gemini-2.5-flash') || model === 'gemini-flash-latest') return { min: 1, max: 24576, canDisable: true }
  return undefined
}

/** The levels a Gemini 3 model takes, or undefined for budget-based models. */
function thinkingLevels(model: string): Effort[] | undefined {
  if (!/^gemini-3(\.\d+)?-/.test(model)) return undefined
  return model.includes('flash') ? ['minimal', 'low', 'medium', 'high'] : ['low', 'high']
}

/** Gemini's `thinkingConfig` as hub reasoning; undefined when it sets nothing the hub holds. */
export function decodeThinkingConfig(config: unknown): HubReasoning | undefined {
  if (!isRecord(config)) return undefined
  const reasoning: HubReasoning = {}
  const budget = config.thinkingBudget
  if (typeof budget === 'number') {
    if (budget === 0) reasoning.enabled = false
    else if (budget < 0) reasoning.enabled = true
    else reasoning.budgetTokens = budget
  }
  if (typeof config.includeThoughts === 'boolean') reasoning.includeThoughts = config.includeThoughts
  const level = typeof config.thinkingLevel === 'string' ? config.thinkingLevel.toLowerCase() : undefined
  if (level && EFFORTS.has(level)) reasoning.effort = level as Effort
  return Object.keys(reasoning).length > 0 ? reasoning : undefined
}

function clampBudget(model: string, budget: number, warn: (message: string) => void): number {
  const limits = budgetLimits(model)
  if (!limits) return budget
  const clamped = Math.min(limits.max, Math.max(limits.min, budget))
  if (clamped !== budget) warn(`thinking budget ${budget} is outside ${model}'s range ${limits.min}–${limits.max}; sent as ${clamped}`)
  return clamped
}

/** Gemini 3: effort as a level the model takes (the nearest one otherwise). */
function levelConfig(model: string, levels: Effort[], reasoning: HubReasoning, warn: (message: string) => void): GeminiThinkingConfig {
  const lowest = levels[0] as Effort
  let effort = reasoning.effort
  if (reasoning.enabled === false) {
    warn(`${model} cannot turn thinking off; sent with thinking level "${lowest}"`)
    effort = lowest
  }
  if (effort === undefined) return reasoning.budgetTokens !== undefined ? { thinkingBudget: reasoning.budgetTokens } : {}
  if (reasoning.budgetTokens !== undefined) warn('a thinking budget cannot be sent together with a thinking level; the budget was dropped')
  const level = levels.includes(effort) ? effort : effort === 'minimal' ? lowest : 'high'
  if (level !== effort) warn(`${model} has no thinking level "${effort}"; sent as "${level}"`)
  return { thinkingLevel: level.toUpperCase() }
}

/** 2.5 and older: everything as a budget (0 off, -1 dynamic). */
function budgetConfig(model: string, reasoning: HubReasoning, warn: (message: string) => void): GeminiThinkingConfig {
  if (reasoning.enabled === false) {
    const limits = budgetLimits(model)
    if (limits && !limits.canDisable) {
      warn(`${model} cannot turn thinking off; sent with the minimum thinking budget ${limits.min}`)
      return { thinkingBudget: limits.min }
    }
    return { thinkingBudget: 0 }
  }
  if (reasoning.budgetTokens !== undefined) return { thinkingBudget: clampBudget(model, reasoning.budgetTokens, warn) }
  if (reasoning.effort !== undefined) {
    const budget = clampBudget(model, BUDGET_BY_EFFORT[reasoning.effort], () => undefined)
    warn(`reasoning effort "${reasoning.effort}" sent as a thinking budget of ${budget} tokens`)
    return { thinkingBudget: budget }
  }
  return reasoning.enabled === true ? { thinkingBudget: -1 } : {}
}

/** Models without thinking (1.5, 2.0), which refuse a thinkingConfig. */
const NON_THINKING_MODEL = /^gemini-(1\.|2\.0-)/

/** Hub reasoning as Gemini's `thinkingConfig` for this model; undefined when there is nothing to send. */
export function encodeThinkingConfig(reasoning: HubReasoning | undefined, model: string, warn: (message: string) => void): GeminiThinkingConfig | undefined {
  if (!reasoning) return undefined
  const name = model.replace(/^models\//, '')
  if (NON_THINKING_MODEL.test(name)) {
    warn(`${name} does not think; the reasoning settings were dropped`)
    return undefined
  }
  const levels = thinkingLevels(name)
  const config = levels ? levelConfig(name, levels, reasoning, warn) : budgetConfig(name, reasoning, warn)
  if (reasoning.includeThoughts !== undefined) config.includeThoughts = reasoning.includeThoughts
  return Object.keys(config).length > 0 ? config : undefined
}
