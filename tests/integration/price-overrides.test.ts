import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { ModelView } from '../../schemas/admin/models.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeCohere, type FakeCohere } from '../support/fake-cohere.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'

// Price overrides for every price kind a plugin can declare: per-unit quantities (Cohere's search units)
// and Anthropic's 1-hour cache-write tier, set through PUT /api/models/price and billed to the unit.
// An override replaces the list price as a whole (fields it leaves out are unset, not inherited).

/** 10 in + 1,000 five-minute writes + 2,000 one-hour writes + 20 out, as the fake Anthropic reports them. */
const CLAUDE_USAGE = {
  input_tokens: 10,
  output_tokens: 20,
  cache_creation_input_tokens: 3000,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
}

describe('price overrides for per-unit and 1-hour cache-write prices', () => {
  let gateway: TestGateway
  let cohere: FakeCohere
  let anthropic: FakeAnthropic
  let userId: number
  let key: string

  beforeAll(async () => {
    cohere = startFakeCohere({ keys: ['co-key'] })
    anthropic = await startFakeAnthropic({ keys: ['sk-ant-upstream'], scenario: { kind: 'usage', usage: CLAUDE_USAGE } })
    gateway = await startGateway()
    await gateway.createChannel({ name: 'cohere', type: 'cohere', key: 'co-key', baseUrl: cohere.url, models: ['rerank-v3.5'] })
    await gateway.createChannel({ name: 'anthropic', type: 'claude', key: 'sk-ant-upstream', baseUrl: anthropic.url, models: ['claude-sonnet-4-5'] })
    userId = await gateway.createUser({ username: 'overrides', quota: 50_000_000 })
    key = (await gateway.createToken({ userId, unlimited: true })).key
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await cohere.stop()
    await anthropic.stop()
  })

  /** What the user was charged for one call to `path`, once it settled. */
  async function charge(path: string, body: unknown): Promise<number> {
    const before = (await gateway.balance(userId)).quota
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(200)
    await response.text()
    await gateway.logs()
    return before - (await gateway.balance(userId)).quota
  }
  const rerank = () => charge('/v2/rerank', { model: 'rerank-v3.5', query: 'capital of France?', documents: ['Paris is the capital.', 'Berlin is a city.'] })
  const claude = () =>
    charge('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      system: [{ type: 'text', text: 'Be brief. '.repeat(20), cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: 'Hi' }],
    })
  const put = async (body: unknown) => {
    const response = await gateway.adminResponse('PUT', '/api/models/price', body)
    return { status: response.status, body: (await response.json()) as ModelView & AdminError }
  }

  test('a perUnit override of searchUnits changes what a rerank call is billed, to the unit; clearing it restores the list price', async () => {
    // List price: 1 search unit × $0.002 = 1,000 units.
    expect(await rerank()).toBe(1000)
    const set = await put({ model: 'rerank-v3.5', price: { perUnit: { searchUnits: 0.0135 } } })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({
      source: 'override',
      priceOverride: { perUnit: { searchUnits: 0.0135 }, perCall: null },
      price: { perUnit: { searchUnits: 0.0135 } },
    })
    expect((await gateway.admin<{ modelPrices: Record<string, unknown> }>('GET', '/api/options')).modelPrices['rerank-v3.5']).toEqual({
      perUnit: { searchUnits: 0.0135 },
    })
    // 1 × $0.0135 = 6,750 units.
    expect(await rerank()).toBe(6750)
    const row = (await gateway.logs({ type: 'consume' }))[0]!
    expect(row.details).toMatchObject({ quantityCharges: { searchUnits: { amount: 1, usd: 0.0135 } } })
    expect((await gateway.admin<ModelView>('DELETE', '/api/models/price?model=rerank-v3.5')).source).toBe('plugin')
    expect(await rerank()).toBe(1000)
  })

  test("a 1-hour cache-write override changes a claude call's charge and shows in the catalog", async () => {
    // List price ($3 in, $15 out, $3.75 5m, $6 1h): 30 + 3,750 + 12,000 + 300 µUSD = 8,040 units.
    expect(await claude()).toBe(8040)
    const set = await put({ model: 'claude-sonnet-4-5', price: { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 12 } })
    expect(set.status).toBe(200)
    expect(set.body.priceOverride).toMatchObject({ cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 12 })
    expect(set.body.listPrice).toMatchObject({ cacheWrite1hPerMTok: 6 })
    // 30 + 3,750 + 24,000 + 300 µUSD = 28,080 µUSD = 14,040 units.
    expect(await claude()).toBe(14_040)
    await gateway.admin('DELETE', '/api/models/price?model=claude-sonnet-4-5')
  })

  test('a bad quantity name or a negative per-unit price is a 400 naming the field, and nothing is stored', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ searchUnits: -0.001 }, 'price.perUnit.searchUnits'],
      [{ 'Search-Units': 0.002 }, 'price.perUnit.Search-Units'],
      [{ search_units: 0.002 }, 'price.perUnit.search_units'],
      [{ searchUnits: '0.002' }, 'price.perUnit.searchUnits'],
    ]
    for (const [perUnit, field] of cases) {
      const answer = await put({ model: 'rerank-v3.5', price: { perUnit } })
      expect({ perUnit, status: answer.status, field: answer.body.error?.field, code: answer.body.error?.code }).toEqual({
        perUnit,
        status: 400,
        field,
        code: 'invalid_request',
      })
      if (field !== 'price.perUnit.searchUnits') expect(answer.body.error.message).toBe(`${field}: not an accepted name (names match ^[a-z][a-zA-Z0-9]{0,39}$)`)
    }
    const negative1h = await put({ model: 'claude-sonnet-4-5', price: { cacheWrite1hPerMTok: -1 } })
    expect([negative1h.status, negative1h.body.error?.field]).toEqual([400, 'price.cacheWrite1hPerMTok'])
    expect((await gateway.admin<{ modelPrices: Record<string, unknown> }>('GET', '/api/options')).modelPrices).toEqual({})
  })
})
