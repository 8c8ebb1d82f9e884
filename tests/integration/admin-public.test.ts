import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// The two routes anyone may read: status for the dashboard's first paint, and the price list.

describe('public routes', () => {
  let gateway: TestGateway

  beforeAll(async () => {
    gateway = await startGateway()
    await gateway.createChannel({
      name: 'priced',
      type: 'openai',
      key: 'sk-up',
      baseUrl: 'http://127.0.0.1:9',
      models: ['gpt-4o-mini', 'house-model', 'unpriced-model'],
    })
    await gateway.createChannel({ name: 'off', type: 'openai', key: 'sk-up', baseUrl: 'http://127.0.0.1:9', models: ['gpt-4o'], status: 'manually-disabled' })
    await gateway.admin('PATCH', '/api/options', {
      modelRatios: { 'house-model': { modelRatio: 0.5, completionRatio: 2 } },
      groupRatios: { default: 1, vip: 0.8 },
    })
  })
  afterAll(async () => {
    await gateway.stop()
  })

  test('status needs no sign-in', async () => {
    const response = await fetch(`${gateway.url}/api/status`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      version: '0.1.0',
      database: 'pglite',
      sharedCache: false,
      selfUseMode: false,
      signInMethods: ['password'],
      signInProviders: [],
      registrationEnabled: false,
      siteName: 'Hanggent API',
      announcement: '',
      setupRequired: false,
    })
  })

  test('pricing lists what enabled channels serve, with the price in force and its source', async () => {
    const pricing = (await (await fetch(`${gateway.url}/api/pricing`)).json()) as { items: Array<Record<string, unknown>>; groupRatios: Record<string, number> }
    expect(pricing.items).toEqual([
      {
        model: 'gpt-4o-mini',
        inputPerMTok: 0.15,
        outputPerMTok: 0.6,
        cacheReadPerMTok: 0.075,
        cacheWritePerMTok: null,
        cacheWrite1hPerMTok: null,
        perCall: null,
        perUnit: null,
        source: 'plugin',
      },
      {
        model: 'house-model',
        inputPerMTok: 1,
        outputPerMTok: 2,
        cacheReadPerMTok: null,
        cacheWritePerMTok: null,
        cacheWrite1hPerMTok: null,
        perCall: null,
        perUnit: null,
        source: 'ratio',
      },
    ])
    expect(pricing.groupRatios).toEqual({ default: 1, vip: 0.8 })
  })
})
