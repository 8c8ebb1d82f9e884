import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { ModelView } from '../../schemas/admin/models.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Models and prices: the catalog (served, plugin-known, overridden), overrides in USD or ratio
// form written through the option store, and what a relay call is then charged.

interface Answer<T> {
  status: number
  body: T
}

/** A model name with every character that would break a path segment. */
const ODD_MODEL = 'my-org/custom-model:v1.2'
/** One million tokens in and out per call, so charges are round numbers. */
const MILLION = { prompt_tokens: 1_000_000, completion_tokens: 1_000_000, total_tokens: 2_000_000 }

for (const backend of testBackends) {
  describe(`models and prices (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let channelId: number
    let key: string

    async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const response = await gateway.adminResponse(method, path, body)
      const text = await response.text()
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
    }
    const catalog = async (q?: string) => (await call<{ items: ModelView[] }>('GET', `/api/models${q ? `?q=${encodeURIComponent(q)}` : ''}`)).body.items
    const entry = async (model: string) => (await catalog()).find((item) => item.model === model)

    /** Makes one relay call reporting a million tokens each way; returns its status and the units it was charged. */
    async function charge(model: string): Promise<{ status: number; units: number | undefined }> {
      fake.queue({ kind: 'usage', usage: MILLION })
      const before = (await gateway.logs({ type: 'consume' })).length
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      })
      await response.text()
      const rows = await gateway.logs({ type: 'consume' })
      return { status: response.status, units: rows.length > before ? (rows[0]!.quota as number) : undefined }
    }

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      channelId = await gateway.createChannel({
        name: 'main',
        type: 'openai',
        key: 'sk-upstream-000000',
        baseUrl: fake.url,
        models: ['gpt-4o-mini', ODD_MODEL],
      })
      key = (await gateway.createToken({ name: 'pricing', quota: 500_000_000 })).key
    }, 60_000)
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })

    test('the catalog lists served, plugin-known and priced models with list price, effective price, source and channels', async () => {
      const mini = await entry('gpt-4o-mini')
      expect(mini).toEqual({
        model: 'gpt-4o-mini',
        listPrice: {
          inputPerMTok: 0.15,
          outputPerMTok: 0.6,
          cacheReadPerMTok: 0.075,
          cacheWritePerMTok: null,
          cacheWrite1hPerMTok: null,
          perCall: null,
          perUnit: null,
        },
        priceOverride: null,
        ratioOverride: null,
        price: {
          inputPerMTok: 0.15,
          outputPerMTok: 0.6,
          cacheReadPerMTok: 0.075,
          cacheWritePerMTok: null,
          cacheWrite1hPerMTok: null,
          perCall: null,
          perUnit: null,
        },
        source: 'plugin',
        channelIds: [channelId],
      })
      expect(await entry(ODD_MODEL)).toEqual({
        model: ODD_MODEL,
        listPrice: null,
        priceOverride: null,
        ratioOverride: null,
        price: null,
        source: null,
        channelIds: [channelId],
      })
      const claude = await entry('claude-sonnet-4-5')
      expect(claude).toMatchObject({ source: 'plugin', channelIds: [] })
      expect(claude!.listPrice!.inputPerMTok).toBe(3)
      const names = (await catalog()).map((item) => item.model)
      expect(names).toEqual([...names].sort())
      expect(names.some((name) => name.endsWith('*'))).toBe(false)
      expect((await catalog('GPT-4O-MI')).map((item) => item.model)).toContain('gpt-4o-mini')
      expect((await catalog('GPT-4O-MI')).every((item) => item.model.includes('gpt-4o-mi'))).toBe(true)
    })

    test('a USD override changes what a relay call is charged; clearing it brings the plugin price back', async () => {
      // 1M in × 0.15 + 1M out × 0.60 = 0.75 USD = 375,000 units.
      expect(await charge('gpt-4o-mini')).toEqual({ status: 200, units: 375_000 })
      const set = await call<ModelView>('PUT', '/api/models/price', { model: 'gpt-4o-mini', price: { inputPerMTok: 1, outputPerMTok: 2 } })
      expect(set.status).toBe(200)
      expect(set.body).toMatchObject({
        source: 'override',
        priceOverride: { inputPerMTok: 1, outputPerMTok: 2, perCall: null },
        price: { inputPerMTok: 1, outputPerMTok: 2 },
      })
      expect((await gateway.admin<{ modelPrices: Record<string, unknown> }>('GET', '/api/options')).modelPrices).toEqual({
        'gpt-4o-mini': { inputPerMTok: 1, outputPerMTok: 2 },
      })
      // 1 + 2 = 3 USD = 1,500,000 units.
      expect(await charge('gpt-4o-mini')).toEqual({ status: 200, units: 1_500_000 })
      const cleared = await call<ModelView>('DELETE', '/api/models/price?model=gpt-4o-mini')
      expect(cleared.body).toMatchObject({ source: 'plugin', priceOverride: null, ratioOverride: null })
      expect(await charge('gpt-4o-mini')).toEqual({ status: 200, units: 375_000 })
    })

    test("ratios in New API's form price a model; setting one form replaces the other", async () => {
      const set = await call<ModelView>('PUT', '/api/models/price', { model: 'gpt-4o-mini', ratios: { modelRatio: 5, completionRatio: 3 } })
      expect(set.body).toMatchObject({ source: 'ratio', ratioOverride: { modelRatio: 5, completionRatio: 3 }, price: { inputPerMTok: 10, outputPerMTok: 30 } })
      // 10 + 30 = 40 USD = 20,000,000 units.
      expect(await charge('gpt-4o-mini')).toEqual({ status: 200, units: 20_000_000 })
      await call('PUT', '/api/models/price', { model: 'gpt-4o-mini', price: { perCall: 0.5 } })
      const options = await gateway.admin<{ modelPrices: Record<string, unknown>; modelRatios: Record<string, unknown> }>('GET', '/api/options')
      expect([options.modelPrices, options.modelRatios]).toEqual([{ 'gpt-4o-mini': { perCall: 0.5 } }, {}])
      expect(await charge('gpt-4o-mini')).toEqual({ status: 200, units: 250_000 })
      await call('DELETE', '/api/models/price?model=gpt-4o-mini')
    })

    test('a model name with / : and . is priced through the body, and then it can be used', async () => {
      expect((await charge(ODD_MODEL)).status).toBe(403)
      const set = await call<ModelView>('PUT', '/api/models/price', { model: ODD_MODEL, price: { inputPerMTok: 2, outputPerMTok: 2 } })
      expect(set.body).toMatchObject({ model: ODD_MODEL, source: 'override', channelIds: [channelId] })
      expect(await charge(ODD_MODEL)).toEqual({ status: 200, units: 2_000_000 })
      expect((await call<ModelView>('DELETE', `/api/models/price?model=${encodeURIComponent(ODD_MODEL)}`)).body.source).toBeNull()
      expect((await charge(ODD_MODEL)).status).toBe(403)
    })

    test('bad price bodies are 400 naming the field; clearing a model without override is 404', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ model: 'gpt-4o', price: { inputPerMTok: 1 }, ratios: { modelRatio: 1 } }, 'price'],
        [{ model: 'gpt-4o' }, 'price'],
        [{ model: 'gpt-4o', price: {} }, 'price'],
        [{ model: 'gpt-4o', price: { inputPerMtok: 1 } }, 'price.inputPerMtok'],
        [{ model: 'gpt-4o', price: { inputPerMTok: -1 } }, 'price.inputPerMTok'],
        [{ model: 'gpt-4o', ratios: { completionRatio: 2 } }, 'ratios.modelRatio'],
        [{ model: '', price: { inputPerMTok: 1 } }, 'model'],
      ]
      for (const [body, field] of cases) {
        const answer = await call<AdminError>('PUT', '/api/models/price', body)
        expect({ body, status: answer.status, field: answer.body.error.field }).toEqual({ body, status: 400, field })
      }
      const none = await call<AdminError>('DELETE', '/api/models/price?model=gpt-4o')
      expect({ status: none.status, field: none.body.error.field }).toEqual({ status: 404, field: 'model' })
      expect((await call<AdminError>('DELETE', '/api/models/price')).body.error.field).toBe('model')
      expect((await gateway.admin<{ modelPrices: Record<string, unknown> }>('GET', '/api/options')).modelPrices).toEqual({})
    })

    test('every override change is audited under the admin, naming the model', async () => {
      const rows = (await gateway.logs({ type: 'manage' })).filter((row) => typeof row.content === 'string' && row.content.includes('price'))
      expect(rows.some((row) => row.content === 'price of "gpt-4o-mini" overridden (USD)' && row.model === 'gpt-4o-mini' && row.username === 'root')).toBe(true)
      expect(rows.some((row) => row.content === `price override of "${ODD_MODEL}" removed`)).toBe(true)
    })
  })
}
