import { describe, expect, test } from 'bun:test'
import type { ChannelContext } from '@hanggent/plugin-sdk'
import { geminiModelListing } from './gemini-upstream-models.ts'

const channel = (settings: Record<string, unknown> = {}): ChannelContext => ({
  id: 1,
  type: 'gemini',
  baseUrl: 'https://generativelanguage.googleapis.com',
  key: 'AIza-test',
  settings,
  config: { azureDefaultApiVersion: '2025-04-01-preview' },
})

describe('Gemini model listing', () => {
  test('pages of 1000 under the API version, the key in x-goog-api-key (never in the URL), the cursor in pageToken', () => {
    expect(geminiModelListing.buildRequest(channel(), undefined)).toEqual({
      url: 'https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000',
      method: 'GET',
      headers: { 'x-goog-api-key': 'AIza-test' },
    })
    const next = geminiModelListing.buildRequest(channel({ apiVersion: 'v1' }), 'Ch5tb2RlbHM=')
    expect(next.url).toBe('https://generativelanguage.googleapis.com/v1/models?pageSize=1000&pageToken=Ch5tb2RlbHM%3D')
    expect(next.url).not.toContain('AIza')
  })

  test('ids without the models/ prefix; nextPageToken continues; an empty account has no models field', () => {
    expect(geminiModelListing.parsePage({ models: [{ name: 'models/gemini-2.5-pro' }, { name: 'models/text-embedding-004' }], nextPageToken: 'abc' })).toEqual({
      models: ['gemini-2.5-pro', 'text-embedding-004'],
      nextCursor: 'abc',
    })
    expect(geminiModelListing.parsePage({})).toEqual({ models: [] })
    expect(() => geminiModelListing.parsePage({ models: 'gemini' })).toThrow('expected')
  })
})
