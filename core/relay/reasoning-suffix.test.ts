import { describe, expect, test } from 'bun:test'
import { applyReasoningSuffix, parseReasoningSuffix } from './reasoning-suffix.ts'
import type { HubChatRequest } from '@hanggent/plugin-sdk'

describe('parseReasoningSuffix', () => {
  test.each([
    ['o3-mini-high', { model: 'o3-mini', reasoning: { effort: 'high' } }],
    ['gpt-5-minimal', { model: 'gpt-5', reasoning: { effort: 'minimal' } }],
    ['gemini-2.5-flash-low', { model: 'gemini-2.5-flash', reasoning: { effort: 'low' } }],
    ['claude-sonnet-4-5-20250929-thinking', { model: 'claude-sonnet-4-5-20250929', reasoning: { enabled: true, includeThoughts: true } }],
    ['gemini-2.5-flash-thinking-2048', { model: 'gemini-2.5-flash', reasoning: { enabled: true, budgetTokens: 2048, includeThoughts: true } }],
    ['gemini-2.5-flash-nothinking', { model: 'gemini-2.5-flash', reasoning: { enabled: false } }],
  ])('%s', (model, expected) => {
    expect(parseReasoningSuffix(model)).toEqual(expected as ReturnType<typeof parseReasoningSuffix>)
  })

  test.each(['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku-latest', 'high', 'text-embedding-3-small'])('%s has no suffix', (model) => {
    expect(parseReasoningSuffix(model)).toBeUndefined()
  })
})

describe('applyReasoningSuffix', () => {
  const request: HubChatRequest = { model: 'claude-sonnet-4-5-thinking', messages: [], stream: false }

  test('Claude thinking takes 80% of max_tokens, defaulting max_tokens to 8192', () => {
    const applied = applyReasoningSuffix(request, parseReasoningSuffix(request.model)!, 'claude.messages')
    expect(applied).toMatchObject({ model: 'claude-sonnet-4-5', maxOutputTokens: 8192, reasoning: { enabled: true, budgetTokens: 6553 } })
  })

  test('the Claude budget never goes below 1024', () => {
    const applied = applyReasoningSuffix({ ...request, maxOutputTokens: 1000 }, parseReasoningSuffix(request.model)!, 'claude.messages')
    expect(applied.reasoning?.budgetTokens).toBe(1024)
  })

  test('other providers keep a dynamic budget', () => {
    const applied = applyReasoningSuffix({ ...request, model: 'gemini-2.5-pro-thinking' }, parseReasoningSuffix('gemini-2.5-pro-thinking')!, 'gemini.generate')
    expect(applied.reasoning).toEqual({ enabled: true, includeThoughts: true })
    expect(applied.maxOutputTokens).toBeUndefined()
  })
})
