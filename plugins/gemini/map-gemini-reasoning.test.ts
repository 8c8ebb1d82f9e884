import { describe, expect, test } from 'bun:test'
import type { HubReasoning } from '@hanggent/plugin-sdk'
import { decodeThinkingConfig, encodeThinkingConfig } from './map-gemini-reasoning.ts'

// thinkingConfig ⇄ hub reasoning, per model family: budgets for 2.5 (clamped to each model's range),
// levels for Gemini 3, and what each cannot express noted as a warning.

describe('thinking config', () => {
  test.each([
    [{ thinkingBudget: 0 }, { enabled: false }],
    [
      { thinkingBudget: -1, includeThoughts: true },
      { enabled: true, includeThoughts: true },
    ],
    [{ thinkingBudget: 4096 }, { budgetTokens: 4096 }],
    [{ thinkingLevel: 'LOW' }, { effort: 'low' }],
    [
      { thinkingLevel: 'high', includeThoughts: false },
      { effort: 'high', includeThoughts: false },
    ],
    [{}, undefined],
  ])('decodes %j as %j', (config, reasoning) => {
    expect(decodeThinkingConfig(config)).toEqual(reasoning as HubReasoning | undefined)
  })

  test.each([
    ['gemini-2.5-flash', { effort: 'low' }, { thinkingBudget: 1024 }, ['reasoning effort "low" sent as a thinking budget of 1024 tokens']],
    ['gemini-2.5-flash', { effort: 'medium' }, { thinkingBudget: 8192 }, ['reasoning effort "medium" sent as a thinking budget of 8192 tokens']],
    ['gemini-2.5-pro', { effort: 'high' }, { thinkingBudget: 24576 }, ['reasoning effort "high" sent as a thinking budget of 24576 tokens']],
    ['gemini-2.5-flash', { enabled: false }, { thinkingBudget: 0 }, []],
    ['gemini-2.5-pro', { enabled: false }, { thinkingBudget: 128 }, ['gemini-2.5-pro cannot turn thinking off; sent with the minimum thinking budget 128']],
    ['gemini-2.5-flash-lite', { enabled: true, includeThoughts: true }, { thinkingBudget: -1, includeThoughts: true }, []],
    [
      'gemini-2.5-flash',
      { budgetTokens: 100000 },
      { thinkingBudget: 24576 },
      ["thinking budget 100000 is outside gemini-2.5-flash's range 1–24576; sent as 24576"],
    ],
    [
      'gemini-2.5-flash-lite',
      { budgetTokens: 100 },
      { thinkingBudget: 512 },
      ["thinking budget 100 is outside gemini-2.5-flash-lite's range 512–24576; sent as 512"],
    ],
    ['gemini-3-pro-preview', { effort: 'low', includeThoughts: true }, { thinkingLevel: 'LOW', includeThoughts: true }, []],
    ['gemini-3-pro-preview', { effort: 'medium' }, { thinkingLevel: 'HIGH' }, ['gemini-3-pro-preview has no thinking level "medium"; sent as "high"']],
    ['gemini-3-flash-preview', { effort: 'medium' }, { thinkingLevel: 'MEDIUM' }, []],
    ['gemini-3-pro-preview', { enabled: false }, { thinkingLevel: 'LOW' }, ['gemini-3-pro-preview cannot turn thinking off; sent with thinking level "low"']],
    ['gemini-3-pro-preview', { budgetTokens: 2048 }, { thinkingBudget: 2048 }, []],
    ['gemini-2.5-flash', { includeThoughts: false }, { includeThoughts: false }, []],
    ['gemini-2.0-flash', { effort: 'high' }, undefined, ['gemini-2.0-flash does not think; the reasoning settings were dropped']],
  ])('%s with %j → %j', (model, reasoning, config, expectedWarnings) => {
    const warnings: string[] = []
    expect(encodeThinkingConfig(reasoning as HubReasoning, model, (message) => void warnings.push(message))).toEqual(config)
    expect(warnings).toEqual(expectedWarnings)
  })
})
