import { describe, expect, test } from 'bun:test'
import { buildAzureRequest, deploymentFor } from './azure-transport.ts'
import { azureModelListing } from './azure-upstream-models.ts'
import type { UpstreamCall } from '@hanggent/plugin-sdk'

const call = (overrides: Partial<UpstreamCall> = {}, settings: Record<string, unknown> = {}): UpstreamCall => ({
  channel: {
    id: 1,
    type: 'azure',
    baseUrl: 'https://contoso.openai.azure.com',
    key: 'azure-key',
    settings,
    config: { azureDefaultApiVersion: '2025-04-01-preview' },
  },
  dialect: 'openai.chat',
  endpoint: 'chat',
  model: 'gpt-4o',
  stream: false,
  body: { model: 'gpt-4o', messages: [] },
  ...overrides,
})

describe('Azure transport', () => {
  test('chat goes to the deployment URL with api-version and api-key', () => {
    const request = buildAzureRequest(call(), '2025-04-01-preview')
    expect(request.url).toBe('https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview')
    expect(request.headers['api-key']).toBe('azure-key')
    expect(request.headers.authorization).toBeUndefined()
  })

  test('the channel may override the API version and map models to deployments', () => {
    const request = buildAzureRequest(call({}, { apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'prod-4o' } }), '2025-04-01-preview')
    expect(request.url).toBe('https://contoso.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21')
  })

  test('dots are removed from default deployment names', () => {
    expect(deploymentFor('gpt-3.5-turbo', undefined)).toBe('gpt-35-turbo')
    expect(deploymentFor('gpt-4.1', { 'gpt-4.1': 'four-one' })).toBe('four-one')
  })

  test('embeddings and completions use their deployment paths; a base ending in /openai is not doubled', () => {
    expect(buildAzureRequest(call({ endpoint: 'embeddings', model: 'text-embedding-3-small' }), 'v').url).toBe(
      'https://contoso.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=v',
    )
    const request = buildAzureRequest(
      { ...call({ endpoint: 'completions' }), channel: { ...call().channel, baseUrl: 'https://contoso.openai.azure.com/openai/' } },
      'v',
    )
    expect(request.url).toBe('https://contoso.openai.azure.com/openai/deployments/gpt-4o/completions?api-version=v')
  })

  test('the Responses API names the deployment as the model', () => {
    const request = buildAzureRequest(
      call({ endpoint: 'responses', dialect: 'openai.responses', body: { model: 'gpt-4o', input: 'hi' } }, { deployments: { 'gpt-4o': 'prod-4o' } }),
      'v',
    )
    expect(request.url).toBe('https://contoso.openai.azure.com/openai/responses?api-version=v')
    expect(JSON.parse(request.body as string)).toEqual({ model: 'prod-4o', input: 'hi' })
  })
})

describe('Azure model listing', () => {
  const listing = azureModelListing
  const channel = {
    id: 1,
    type: 'azure',
    baseUrl: 'https://contoso.openai.azure.com/openai',
    key: 'azure-key',
    settings: {},
    config: { azureDefaultApiVersion: '2025-04-01-preview' },
  }

  test("the resource's models list with api-key and the API version (the channel's, else the default)", () => {
    expect(listing.buildRequest(channel, undefined)).toEqual({
      url: 'https://contoso.openai.azure.com/openai/models?api-version=2025-04-01-preview',
      method: 'GET',
      headers: { 'api-key': 'azure-key' },
    })
    expect(listing.buildRequest({ ...channel, settings: { apiVersion: '2024-10-21' } }, undefined).url).toBe(
      'https://contoso.openai.azure.com/openai/models?api-version=2024-10-21',
    )
  })

  test('models that cannot serve inference are left out', () => {
    const body = {
      object: 'list',
      data: [
        { id: 'gpt-4o', capabilities: { inference: true } },
        { id: 'old-base', capabilities: { inference: false, fine_tune: true } },
        { id: 'no-capabilities' },
      ],
    }
    expect(listing.parsePage(body)).toEqual({ models: ['gpt-4o', 'no-capabilities'] })
    expect(() => listing.parsePage({ error: { code: '401' } })).toThrow('expected')
  })
})
