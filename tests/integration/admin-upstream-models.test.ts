import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import type { AdminError } from '../../schemas/admin/common.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'
import { startFakeAzure, type FakeAzure } from '../support/fake-azure.ts'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { loadFixture } from '../support/fixtures.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Listing an upstream's models through each plugin's modelListing capability, against the fakes:
// the vendor's auth headers, pagination followed to the end, vendor prefixes removed.

interface Answer<T> {
  status: number
  body: T
}
type Models = { models: string[] }

/** A plugin without the capability (the loader's test fixture). */
const tinyPlugin = fileURLToPath(new URL('../../core/plugin/__fixtures__/good.ts', import.meta.url))

const ids = <T extends { id: string }>(list: T[]) => list.map((entry) => entry.id)

for (const backend of testBackends) {
  describe(`upstream model lists (${backend.name})`, () => {
    let gateway: TestGateway
    let openai: FakeOpenAI
    let anthropic: FakeAnthropic
    let gemini: FakeGemini
    let azure: FakeAzure

    async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const response = await gateway.adminResponse(method, path, body)
      const text = await response.text()
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
    }

    beforeAll(async () => {
      ;[openai, anthropic, gemini, azure] = await Promise.all([
        startFakeOpenAI({ keys: ['sk-openai-good'] }),
        startFakeAnthropic({ keys: ['sk-ant-good'] }),
        startFakeGemini({ keys: ['gemini-good'] }),
        startFakeAzure({ apiKey: 'azure-good', deployments: {} }),
      ])
      gateway = await startGateway(backend, { plugins: [tinyPlugin] })
    })
    afterAll(async () => {
      await gateway.stop()
      await Promise.all([openai.stop(), anthropic.stop(), gemini.stop(), azure.stop()])
    })

    test('openai and openai-compatible: GET /v1/models with the bearer key and organization header', async () => {
      const id = await gateway.createChannel({
        name: 'oa',
        type: 'openai',
        key: 'sk-openai-good\nsk-openai-second',
        baseUrl: openai.url,
        models: ['gpt-4o'],
        settings: { organization: 'org-7' },
      })
      const answer = await call<Models>('GET', `/api/channels/${id}/upstream-models`)
      expect(answer).toEqual({ status: 200, body: { models: ids(loadFixture<{ data: Array<{ id: string }> }>('openai', 'openai-models.json').data) } })
      expect(openai.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: '/v1/models',
        headers: { authorization: 'Bearer sk-openai-good', 'openai-organization': 'org-7' },
      })
      const compatible = await gateway.createChannel({
        name: 'compat',
        type: 'openai-compatible',
        key: 'sk-openai-good',
        baseUrl: `${openai.url}/v1`,
        models: ['llama'],
      })
      expect((await call<Models>('GET', `/api/channels/${compatible}/upstream-models`)).body.models).toContain('gpt-4o-mini')
      expect(openai.requests.at(-1)!.path).toBe('/v1/models')
    })

    test('claude: x-api-key and anthropic-version, every page followed with after_id', async () => {
      const id = await gateway.createChannel({ name: 'claude', type: 'claude', key: 'sk-ant-good', baseUrl: anthropic.url, models: ['claude-sonnet-4-5'] })
      anthropic.reset()
      const answer = await call<Models>('GET', `/api/channels/${id}/upstream-models`)
      const pages = [
        loadFixture<{ data: Array<{ id: string }> }>('claude', 'claude-models.json'),
        loadFixture<{ data: Array<{ id: string }> }>('claude', 'claude-models-page-2.json'),
      ]
      expect(answer).toEqual({ status: 200, body: { models: pages.flatMap((page) => ids(page.data)) } })
      expect(anthropic.requests.map((request) => request.headers['x-api-key'])).toEqual(['sk-ant-good', 'sk-ant-good'])
      expect(
        anthropic.requests.every(
          (request) => request.method === 'GET' && request.path === '/v1/models' && request.headers['anthropic-version'] === '2023-06-01',
        ),
      ).toBe(true)
    })

    test('gemini: x-goog-api-key, nextPageToken followed, models/ prefix removed', async () => {
      const id = await gateway.createChannel({ name: 'gemini', type: 'gemini', key: 'gemini-good', baseUrl: gemini.url, models: ['gemini-2.5-flash'] })
      gemini.reset()
      const answer = await call<Models>('GET', `/api/channels/${id}/upstream-models`)
      const first = loadFixture<{ models: Array<{ name: string }>; nextPageToken: string }>('gemini', 'gemini-models.json')
      const second = loadFixture<{ models: Array<{ name: string }> }>('gemini', 'gemini-models-page-2.json')
      expect(answer.status).toBe(200)
      expect(answer.body.models).toEqual([...first.models, ...second.models].map((model) => model.name.slice('models/'.length)))
      expect(answer.body.models).toContain('gemini-2.5-pro')
      expect(gemini.requests.map((request) => request.query.pageToken ?? null)).toEqual([null, first.nextPageToken])
      expect(
        gemini.requests.every(
          (request) => request.path === '/v1beta/models' && request.headers['x-goog-api-key'] === 'gemini-good' && request.query.key === undefined,
        ),
      ).toBe(true)
    })

    test("azure: the resource's models list with api-key and the channel's api-version; fine-tune-only models left out", async () => {
      const id = await gateway.createChannel({
        name: 'azure',
        type: 'azure',
        key: 'azure-good',
        baseUrl: azure.url,
        models: ['gpt-4o'],
        settings: { apiVersion: '2024-10-21' },
      })
      const answer = await call<Models>('GET', `/api/channels/${id}/upstream-models`)
      expect(answer).toEqual({ status: 200, body: { models: ['gpt-4o-2024-11-20', 'gpt-4o-mini-2024-07-18', 'text-embedding-3-small'] } })
      expect(azure.requests.at(-1)).toMatchObject({ path: '/openai/models', apiVersion: '2024-10-21', apiKey: 'azure-good' })
    })

    test('the create form can ask before saving: type, base URL and key in the body', async () => {
      const answer = await call<Models>('POST', '/api/channels/upstream-models', { type: 'claude', baseUrl: anthropic.url, key: 'sk-ant-good\nsk-ant-other' })
      expect(answer.status).toBe(200)
      expect(answer.body.models[0]).toBe('claude-sonnet-4-5-20250929')
      const withSettings = await call<Models>('POST', '/api/channels/upstream-models', {
        type: 'openai',
        baseUrl: openai.url,
        key: 'sk-openai-good',
        settings: { project: 'proj-1' },
      })
      expect(withSettings.status).toBe(200)
      expect(openai.requests.at(-1)!.headers['openai-project']).toBe('proj-1')
      const badSettings = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'openai', key: 'k', settings: { colour: 'blue' } })
      expect({ status: badSettings.status, field: badSettings.body.error.field }).toEqual({ status: 400, field: 'settings.colour' })
      const noBase = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'openai-compatible', key: 'k' })
      expect({ status: noBase.status, field: noBase.body.error.field }).toEqual({ status: 400, field: 'baseUrl' })
      const unknown = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'carrier-pigeon', key: 'k' })
      expect({ status: unknown.status, field: unknown.body.error.field }).toEqual({ status: 400, field: 'type' })
    })

    test('a type without the capability answers 501 with a clear message', async () => {
      const answer = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'tiny', key: 'k' })
      expect(answer.status).toBe(501)
      expect(answer.body.error.code).toBe('not_implemented')
      expect(answer.body.error.message).toContain('"tiny" cannot list')
      const id = await gateway.createChannel({ name: 'tiny', type: 'tiny', key: 'tiny-key-000000', models: ['tiny-1'] })
      expect((await call('GET', `/api/channels/${id}/upstream-models`)).status).toBe(501)
    })

    test("upstream failures are 502 with the upstream's reason; unknown channels 404", async () => {
      const wrongKey = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'openai', baseUrl: openai.url, key: 'sk-wrong' })
      expect(wrongKey.status).toBe(502)
      expect(wrongKey.body.error.code).toBe('upstream_error')
      expect(wrongKey.body.error.message).toContain('401')
      expect(wrongKey.body.error.message).toContain(loadFixture<{ error: { message: string } }>('openai', 'openai-error-401.json').error.message.slice(0, 20))
      const geminiKey = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'gemini', baseUrl: gemini.url, key: 'gemini-wrong' })
      expect(geminiKey.status).toBe(502)
      expect(geminiKey.body.error.message).toContain('API key not valid')
      const nobody = await call<AdminError>('POST', '/api/channels/upstream-models', { type: 'openai', baseUrl: 'http://127.0.0.1:9', key: 'k' })
      expect({ status: nobody.status, code: nobody.body.error.code }).toEqual({ status: 502, code: 'upstream_unreachable' })
      expect((await call('GET', '/api/channels/999999/upstream-models')).status).toBe(404)
    })
  })
}
