import { describe, expect, test } from 'bun:test'
import type { ChannelContext } from '@hanggent/plugin-sdk'
import { claudeModelListing } from './claude-upstream-models.ts'

const channel: ChannelContext = {
  id: 1,
  type: 'claude',
  baseUrl: 'https://api.anthropic.com',
  key: 'sk-ant',
  settings: { anthropicVersion: '2023-06-01', headers: { 'X-Proxy': 'p' } },
  config: { azureDefaultApiVersion: '2025-04-01-preview' },
}

describe('Claude model listing', () => {
  test('pages of 1000 with x-api-key and anthropic-version; the cursor goes in after_id', () => {
    expect(claudeModelListing.buildRequest(channel, undefined)).toEqual({
      url: 'https://api.anthropic.com/v1/models?limit=1000',
      method: 'GET',
      headers: { 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01', 'x-proxy': 'p' },
    })
    expect(claudeModelListing.buildRequest(channel, 'claude-3-opus-20240229').url).toBe(
      'https://api.anthropic.com/v1/models?limit=1000&after_id=claude-3-opus-20240229',
    )
  })

  test('has_more continues after last_id (or the last model); the last page has no cursor', () => {
    const data = [
      { type: 'model', id: 'claude-a' },
      { type: 'model', id: 'claude-b' },
    ]
    expect(claudeModelListing.parsePage({ data, has_more: true, first_id: 'claude-a', last_id: 'claude-b' })).toEqual({
      models: ['claude-a', 'claude-b'],
      nextCursor: 'claude-b',
    })
    expect(claudeModelListing.parsePage({ data, has_more: true })).toEqual({ models: ['claude-a', 'claude-b'], nextCursor: 'claude-b' })
    expect(claudeModelListing.parsePage({ data, has_more: false, last_id: 'claude-b' })).toEqual({ models: ['claude-a', 'claude-b'] })
    expect(() => claudeModelListing.parsePage({ type: 'error', error: { type: 'authentication_error' } })).toThrow('expected')
  })
})
