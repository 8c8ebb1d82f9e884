import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import models from '../../admin/src/i18n/messages/models.ts'
import { formatUsd } from '../../admin/src/api/units.ts'
import { startBrowserFixture, type BrowserFixture } from './harness.ts'

// The public pricing page names the unit of each price: token prices per 1M tokens, the 1-hour cache
// write (Anthropic's `ttl: "1h"`) in its own column, per call. Against a gateway with a Claude channel
// (whose plugin lists 1-hour write prices) and an OpenAI one (which has none).

describe('pricing page units', () => {
  let fixture: BrowserFixture

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    await fixture.gateway.createChannel({ name: 'claude', type: 'claude', key: 'sk-ant', baseUrl: fixture.upstream.url, models: ['claude-sonnet-4-5'] })
    await fixture.gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-upstream', baseUrl: fixture.upstream.url, models: ['gpt-4o-mini'] })
  }, 300_000)
  afterAll(async () => {
    await fixture?.stop()
  })

  test('GET /api/pricing gives the 1-hour cache-write price apart from the 5-minute one', async () => {
    const pricing = (await (await fetch(`${fixture.gateway.url}/api/pricing`)).json()) as { items: Array<Record<string, unknown>> }
    expect(pricing.items.find((item) => item.model === 'claude-sonnet-4-5')).toMatchObject({ cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 6 })
    expect(pricing.items.find((item) => item.model === 'gpt-4o-mini')).toMatchObject({ cacheWrite1hPerMTok: null })
  })

  test('the page shows the 1-hour cache-write price per 1M tokens in its own column', async () => {
    const page = await fixture.newPage({ width: 1600, height: 800 })
    page.setDefaultTimeout(15_000)
    await page.goto(`${fixture.gateway.url}/pricing`)
    await page.locator('[data-test="model-name"]').first().waitFor()
    const headers = await page.locator('th').allInnerTexts()
    expect(headers.map((text) => text.trim())).toContain(`${models.en.columns.cacheWrite1h} ${models.en.perM}`)
    expect(headers.map((text) => text.trim())).toContain(`${models.en.columns.cacheWrite} ${models.en.perM}`)
    const claudeRow = page.locator('tr', { has: page.locator('[data-test="model-name"]', { hasText: 'claude-sonnet-4-5' }) })
    expect(await claudeRow.locator('[data-test="price-cacheWrite1hPerMTok"]').innerText()).toBe(formatUsd(6, 'price'))
    expect(await claudeRow.locator('[data-test="price-cacheWritePerMTok"]').innerText()).toBe(formatUsd(3.75, 'price'))
    const openaiRow = page.locator('tr', { has: page.locator('[data-test="model-name"]', { hasText: 'gpt-4o-mini' }) })
    expect(await openaiRow.locator('[data-test="price-cacheWrite1hPerMTok"]').count()).toBe(0)
    await fixture.screenshot(page, 'pricing-cache-write-1h')
  })
})
