import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeAzure, type FakeAzure } from '../support/fake-azure.ts'
import { loadChunks, loadFixture } from '../support/fixtures.ts'

// OpenAI clients reach an Azure OpenAI channel unchanged: same wire format, Azure's URLs and auth.

describe('openai SDK through the gateway to Azure OpenAI', () => {
  let gateway: TestGateway
  let azure: FakeAzure
  let client: OpenAI
  let tokenId: number

  beforeAll(async () => {
    azure = await startFakeAzure({ apiKey: 'azure-secret', deployments: { 'prod-4o-mini': 'gpt-4o-mini', 'text-embedding-3-small': 'text-embedding-3-small' } })
    gateway = await startGateway()
    await gateway.createChannel({
      name: 'azure',
      type: 'azure',
      key: 'azure-secret',
      baseUrl: azure.url,
      models: ['gpt-4o-mini', 'text-embedding-3-small'],
      settings: { deployments: { 'gpt-4o-mini': 'prod-4o-mini' } },
    })
    const token = await gateway.createToken({ name: 'azure', quota: 10_000_000 })
    tokenId = token.id
    client = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await azure.stop()
  })
  beforeEach(() => azure.reset())

  test('chat, non-stream: deployment URL, default api-version, api-key header, answer unchanged', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    expect(azure.requests[0]).toMatchObject({
      path: '/openai/deployments/prod-4o-mini/chat/completions',
      apiVersion: '2025-04-01-preview',
      apiKey: 'azure-secret',
    })
    expect(completion as unknown).toEqual({ ...loadFixture('openai', 'openai-chat-text.json'), model: 'gpt-4o-mini' })
  })

  test('chat, stream with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: unknown[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks).toEqual(loadChunks('openai', 'openai-chat-text.chunks.txt').map((chunk) => ({ ...chunk, model: 'gpt-4o-mini' })))
  })

  test('embeddings use the model name as deployment by default', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', encoding_format: 'float' })
    expect(azure.requests[0]?.path).toBe('/openai/deployments/text-embedding-3-small/embeddings')
    expect(result.data.length).toBe(1)
  })

  test('a wrong Azure key is a channel problem: 502 for the client, nothing charged', async () => {
    const channelId = await gateway.createChannel({ name: 'azure-bad', type: 'azure', key: 'wrong', baseUrl: azure.url, models: ['azure-only-model'] })
    await gateway.admin('PATCH', '/api/options', { modelPrices: { 'azure-only-model': { inputPerMTok: 1, outputPerMTok: 1 } } })
    const before = await gateway.tokenBalance(tokenId)
    const status = await client.chat.completions.create({ model: 'azure-only-model', messages: [{ role: 'user', content: 'hi' }] }).then(
      () => 200,
      (error: { status?: number }) => error.status,
    )
    expect(status).toBe(502)
    expect(channelId).toBeGreaterThan(0)
    expect(await gateway.tokenBalance(tokenId)).toEqual(before)
  })
})

describe('AZURE_DEFAULT_API_VERSION reaches the Azure plugin through its context', () => {
  let gateway: TestGateway
  let azure: FakeAzure

  beforeAll(async () => {
    azure = await startFakeAzure({ apiKey: 'azure-secret', deployments: { 'gpt-4o-mini': 'gpt-4o-mini' } })
    // The gateway's own config, as AZURE_DEFAULT_API_VERSION=2024-10-21 would set it; the process environment is not read by the plugin.
    gateway = await startGateway({}, { azureDefaultApiVersion: '2024-10-21' })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await azure.stop()
  })

  test('relayed calls, the channel test and the model list all use the configured version', async () => {
    const channelId = await gateway.createChannel({ name: 'azure', type: 'azure', key: 'azure-secret', baseUrl: azure.url, models: ['gpt-4o-mini'] })
    const token = await gateway.createToken({ name: 'azure-version', quota: 10_000_000 })
    const client = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    await gateway.admin('POST', `/api/channels/${channelId}/test`, {})
    await gateway.adminResponse('GET', `/api/channels/${channelId}/upstream-models`)
    expect(azure.requests.map((request) => request.apiVersion)).toEqual(['2024-10-21', '2024-10-21', '2024-10-21'])
  })
})
