import { describe, expect, test } from 'bun:test'
import type { ChannelContext } from '@hanggent/plugin-sdk'
import { openAIModelListing } from './openai-upstream-models.ts'

const channel = (baseUrl: string, settings: Record<string, unknown> = {}): ChannelContext => ({
  id: 1,
  type: 'openai',
  baseUrl,
  key: 'sk-test',
  settings,
  config: { azureDefaultApiVersion: '2025-04-01-preview' },
})

describe('OpenAI model listing', () => {
  test('GET /v1/models with the bearer key, organization, project and extra headers; a versioned base is not doubled', () => {
    const request = openAIModelListing.buildRequest(
      channel('https://api.openai.com', { organization: 'org-1', project: 'proj-1', headers: { 'X-Team': 'a' } }),
      undefined,
    )
    expect(request).toEqual({
      url: 'https://api.openai.com/v1/models',
      method: 'GET',
      headers: { authorization: 'Bearer sk-test', 'openai-organization': 'org-1', 'openai-project': 'proj-1', 'x-team': 'a' },
    })
    expect(openAIModelListing.buildRequest(channel('https://api.deepseek.com/v1/'), undefined).url).toBe('https://api.deepseek.com/v1/models')
  })

  test('one page of ids; anything else is refused', () => {
    expect(openAIModelListing.parsePage({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', owned_by: 'system' }, { id: 'o3' }] })).toEqual({
      models: ['gpt-4o', 'o3'],
    })
    expect(() => openAIModelListing.parsePage({ models: ['gpt-4o'] })).toThrow('expected')
    expect(() => openAIModelListing.parsePage({ data: [{ name: 'gpt-4o' }] })).toThrow('expected')
  })
})
