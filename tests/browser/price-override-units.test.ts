import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import settings from '../../admin/src/i18n/messages/settings.ts'
import models from '../../admin/src/i18n/messages/models.ts'
import { formatUsd } from '../../admin/src/api/units.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// An admin overrides per-unit prices in the settings' price editor (a Cohere rerank model's search units,
// plus a second quantity), sees each quantity's label there, and the public pricing page then shows the
// new price with its unit.

const ROOT_PASSWORD = 'root-password-123'
const en = settings.en.pricing

describe('per-unit price overrides in the dashboard', () => {
  let fixture: BrowserFixture

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    await fixture.gateway.createChannel({ name: 'cohere', type: 'cohere', key: 'co-key', baseUrl: fixture.upstream.url, models: ['rerank-v3.5'] })
  }, 300_000)
  afterAll(async () => {
    await fixture?.stop()
  })

  test('the editor shows the list per-unit price with its label, saves a new one, and the pricing page shows it per search unit', async () => {
    const page = await fixture.newPage({ width: 1600, height: 900 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.locator('[data-menu="settings"]').click()
    await page.locator('[data-test="settings-tabs"]').waitFor()
    await page.locator('.n-tabs-tab', { hasText: settings.en.tabs.pricing }).click()
    await page.locator('[data-test="pricing-search"] input').fill('rerank-v3.5')
    const row = page.locator('tr[data-model="rerank-v3.5"]')
    await row.locator('[data-test="edit-price"]').click()
    const editor = page.locator('[data-test="price-editor"]')

    // Starts from the list price: searchUnits at $0.002, labelled "search unit"; the 1-hour cache-write field is there too.
    const first = editor.locator('[data-test="unit-row-0"]')
    expect(await first.locator('[data-test="unit-name"] input').inputValue()).toBe('searchUnits')
    expect(await first.locator('[data-test="unit-usd"] input').inputValue()).toBe('0.002')
    expect(await first.locator('[data-test="unit-label"]').innerText()).toBe(en.q.searchUnits)
    await editor.locator('[data-test="usd-cacheWrite1hPerMTok"]').waitFor()

    // A bad name is refused in place; an image tier gets its size and quality spelled out.
    await first.locator('[data-test="unit-usd"] input').fill('0.0025')
    await editor.locator('[data-test="unit-add"]').click()
    const second = editor.locator('[data-test="unit-row-1"]')
    await second.locator('[data-test="unit-name"] input').fill('search_units')
    await second.locator('[data-test="unit-usd"] input').fill('1')
    await editor.locator('[data-test="save-price"]').click()
    await second.locator('.n-form-item-feedback', { hasText: en.quantityPattern }).waitFor()
    await second.locator('[data-test="unit-name"] input').fill('images1792x1024Hd')
    expect(await second.locator('[data-test="unit-label"]').innerText()).toBe('image, 1792x1024, hd')
    await fixture.screenshot(page, 'settings-price-editor-per-unit')
    await editor.locator('[data-test="save-price"]').click()
    await editor.waitFor({ state: 'detached' })
    await row.locator('[data-test="price-source"]', { hasText: en.sourceOverride }).waitFor()

    const stored = await fixture.gateway.admin<{ modelPrices: Record<string, unknown> }>('GET', '/api/options')
    expect(stored.modelPrices['rerank-v3.5']).toEqual({ perUnit: { searchUnits: 0.0025, images1792x1024Hd: 1 } })

    await page.goto(`${fixture.gateway.url}/pricing`)
    await page.locator('[data-test="model-search"] input').fill('rerank-v3.5')
    const priced = page.locator('tr', { has: page.locator('[data-test="model-name"]', { hasText: 'rerank-v3.5' }) })
    const unit = priced.locator('[data-quantity="searchUnits"]')
    expect(await unit.innerText()).toBe(
      models.en.perUnitPrice.replace('{price}', formatUsd(0.0025, 'price')).replace('{unit}', models.en.quantities.searchUnits),
    )
    await fixture.screenshot(page, 'pricing-per-unit-override')
  }, 90_000)
})
