import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Locator, Page } from 'playwright-core'
import { testConfig } from '../support/context.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// Issue 15 item 6 with an external plugin loaded only through PLUGINS (tests/support/plugins/showcase,
// a package folder): its channel type is offered in the channel form, its settings render as fields of
// every kind the SDK's rule allows and save; its models and prices (per token, per call, per unit)
// show on the pricing page; the Plugins page lists it with its package version.

const ROOT_PASSWORD = 'root-password-123'
const PLUGINS = './tests/support/plugins/showcase'

describe('an external plugin in the dashboard', () => {
  let fixture: BrowserFixture
  let page: Page

  beforeAll(async () => {
    fixture = await startBrowserFixture({ plugins: testConfig({}, { PLUGINS }).plugins })
    page = await fixture.newPage({ width: 1440, height: 1000 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
  }, 120_000)
  afterAll(async () => {
    await fixture?.stop()
  })

  /** Picks an option; `filter` is typed first in a filterable select whose list is too long to show every option (the channel types). */
  async function choose(select: Locator, label: string, filter?: string): Promise<void> {
    await select.click()
    if (filter) await page.keyboard.type(filter)
    await page
      .locator('.n-base-select-menu .n-base-select-option:visible', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) })
      .first()
      .click()
  }
  const setting = (drawer: Locator, path: string) => drawer.locator(`[data-setting="${path}"]`)
  /** A setting's label without the required mark. */
  const labelOf = async (drawer: Locator, id: string) => (await drawer.locator(`label[for="channel-setting-${id}"]`).innerText()).replace(/\s*\*$/, '').trim()
  const requiredMarks = (drawer: Locator, id: string) => drawer.locator(`label[for="channel-setting-${id}"] .n-form-item-label__asterisk`).count()

  test("its channel type is offered, each settings field renders by kind, the API's error lands on its field, and the settings save", async () => {
    await page.goto(`${fixture.gateway.url}/channels`)
    await page.locator('[data-test="create-channel"]').first().click()
    const drawer = page.locator('[data-test="channel-drawer"]')
    await drawer.waitFor()
    await choose(drawer.locator('[data-test="channel-type"]'), 'Showcase (showcase)', 'Showcase')
    await drawer.locator('#channel-name').fill('showcase account')
    await drawer.locator('#channel-keys').fill('sk-showcase-form-key')
    await drawer.locator('[data-test="channel-models"]').click()
    await page.keyboard.type('showcase-chat')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Escape')

    // Labels come from the schema's titles; each kind has its own control.
    expect(await labelOf(drawer, 'region')).toBe('Region')
    expect([await requiredMarks(drawer, 'region'), await requiredMarks(drawer, 'apiSecret'), await requiredMarks(drawer, 'backoff-initialMs')]).toEqual([
      1, 0, 1,
    ])
    expect(await labelOf(drawer, 'apiSecret')).toBe('Signing secret')
    expect(await drawer.locator('#channel-setting-apiSecret').getAttribute('type')).toBe('password')
    expect(await labelOf(drawer, 'retries')).toBe('Retries')
    expect(await setting(drawer, 'verbose').locator('.n-switch').count()).toBe(1)
    expect(await setting(drawer, 'tier').locator('.n-base-selection').count()).toBe(1)
    expect(await setting(drawer, 'stopWords').locator('.n-dynamic-tags').count()).toBe(1)
    expect(await setting(drawer, 'headers').locator('.n-dynamic-input').count()).toBe(1)
    expect((await setting(drawer, 'backoff').locator('legend').innerText()).trim()).toBe('Backoff')
    expect(await labelOf(drawer, 'backoff-initialMs')).toBe('Initial delay (ms)')
    expect(await drawer.locator('textarea.n-input__textarea-el[id^="channel-setting-"]').count()).toBe(0)

    await drawer.locator('#channel-setting-region').fill('x')
    await drawer.locator('#channel-setting-apiSecret').fill('form-secret-value')
    await drawer.locator('#channel-setting-retries').fill('3')
    await drawer.locator('#channel-setting-retries').blur()
    await drawer.locator('#channel-setting-temperatureCap').fill('1.5')
    await drawer.locator('#channel-setting-temperatureCap').blur()
    await setting(drawer, 'verbose').locator('.n-switch').click()
    await choose(setting(drawer, 'tier').locator('.n-base-selection'), 'pro')
    await setting(drawer, 'stopWords').locator('button').click()
    await page.keyboard.type('END')
    await page.keyboard.press('Enter')
    await setting(drawer, 'headers').locator('button').first().click()
    await setting(drawer, 'headers').locator('input').nth(0).fill('x-team')
    await setting(drawer, 'headers').locator('input').nth(1).fill('blue')
    await drawer.locator('#channel-setting-backoff-initialMs').fill('250')
    await drawer.locator('#channel-setting-backoff-initialMs').blur()
    await setting(drawer, 'backoff.jitter').locator('.n-switch').click()
    await fixture.screenshot(page, 'plugin-dashboard-channel-form')

    // The schema's minLength is checked by the gateway; its answer shows on the region field.
    await drawer.locator('[data-test="channel-save"]').click()
    await setting(drawer, 'region').locator('.n-form-item-feedback--error').waitFor()
    await drawer.locator('#channel-setting-region').fill('eu-west')
    await drawer.locator('[data-test="channel-save"]').click()
    await drawer.waitFor({ state: 'hidden' })

    const stored = await fixture.gateway.admin<{ items: Array<{ name: string; type: string; settings: Record<string, unknown> }> }>('GET', '/api/channels')
    expect(stored.items.find((item) => item.name === 'showcase account')).toMatchObject({
      type: 'showcase',
      settings: {
        region: 'eu-west',
        apiSecret: 'form-secret-value',
        retries: 3,
        temperatureCap: 1.5,
        verbose: true,
        tier: 'pro',
        stopWords: ['END'],
        headers: { 'x-team': 'blue' },
        backoff: { initialMs: 250, jitter: true },
      },
    })
  })

  test('its models and their prices show on the pricing page: per token, per call and per unit', async () => {
    await fixture.gateway.createChannel({
      name: 'showcase models',
      type: 'showcase',
      key: 'k',
      models: ['showcase-chat', 'showcase-image', 'showcase-search'],
      settings: { region: 'eu-west' },
    })
    await page.goto(`${fixture.gateway.url}/pricing`)
    await page.locator('[data-test="model-search"] input').fill('showcase')
    const row = (model: string) => page.locator('[data-test="pricing-table"] tr', { has: page.locator('[data-test="model-name"]', { hasText: model }) })
    await row('showcase-search').waitFor()
    expect(await page.locator('[data-test="pricing-table"] [data-test="model-name"]').allInnerTexts()).toEqual([
      'showcase-chat',
      'showcase-image',
      'showcase-search',
    ])
    expect(await row('showcase-chat').locator('[data-test="price-inputPerMTok"]').innerText()).toBe('$1.25')
    expect(await row('showcase-chat').locator('[data-test="price-outputPerMTok"]').innerText()).toBe('$5.00')
    expect(await row('showcase-image').innerText()).toContain('$0.04')
    expect(await row('showcase-search').locator('[data-test="price-perUnit"]').innerText()).toBe('$0.0025 / search unit')
    await fixture.screenshot(page, 'plugin-dashboard-pricing')

    // The admin's price list shows the plugin's list price with its per-unit part.
    await page.goto(`${fixture.gateway.url}/settings?tab=pricing`)
    await page.locator('[data-test="pricing-search"] input').fill('showcase-search')
    const listed = page.locator('[data-test="pricing-table"] tr', { hasText: 'showcase-search' }).locator('[data-test="list-price"]')
    await listed.waitFor()
    expect((await listed.innerText()).split('\n')).toEqual(['Input $0.50', 'Output $1.50', 'searchUnits (search unit) $0.0025'])
  })

  test('the Plugins page lists it with its package version, origin and declarations', async () => {
    await page.goto(`${fixture.gateway.url}/`)
    await page.locator('.n-menu-item', { hasText: 'Plugins' }).click()
    await page.waitForURL('**/plugins')
    const card = page.locator('[data-test="plugin-card"][data-plugin="showcase"]')
    await card.waitFor()
    expect(await card.locator('[data-test="plugin-version"]').innerText()).toBe('2.3.4')
    expect(await card.locator('[data-test="plugin-source"]').innerText()).toBe('PLUGINS')
    expect(await card.locator('[data-test="plugin-entry"]').innerText()).toBe(PLUGINS)
    expect(await card.innerText()).toContain('package hanggent-plugin-showcase')
    expect(await card.locator('[data-test="plugin-channel-types"]').innerText()).toContain('Showcase showcase · upstream speaks openai.chat')
    expect(await card.locator('[data-test="plugin-models"]').innerText()).toBe('3 models, 3 prices')
    expect(await card.locator('[data-test="plugin-balance-readers"]').innerText()).toBe('Showcase credits · showcase')
    expect(await card.locator('[data-test="plugin-tokenizers"]').innerText()).toBe('showcase-* · its own counter')
    const openai = page.locator('[data-test="plugin-card"][data-plugin="openai"]')
    expect(await openai.locator('[data-test="plugin-source"]').innerText()).toBe('Built-in')
    expect(await openai.locator('[data-test="plugin-routes"]').innerText()).toContain('POST /v1/chat/completions')
    // Readers the OpenAI types share are listed once, with every type that uses them.
    expect(await openai.locator('[data-test="plugin-balance-readers"]').innerText()).toContain('OpenRouter credits · openai, openai-compatible')
    expect((await openai.locator('[data-test="plugin-balance-readers"]').innerText()).match(/OpenRouter credits/g)?.length).toBe(1)
    await fixture.screenshot(page, 'plugin-dashboard-plugins')
  })

  test('the Plugins page reads in French', async () => {
    await page.evaluate(() => window.localStorage.setItem('hanggent.locale', 'fr'))
    await page.goto(`${fixture.gateway.url}/plugins`)
    await page.locator('h1', { hasText: 'Plugins' }).waitFor()
    const card = page.locator('[data-test="plugin-card"][data-plugin="showcase"]')
    await card.waitFor()
    expect(await card.innerText()).toContain('Chargé depuis')
    expect(await card.locator('[data-test="plugin-models"]').innerText()).toBe('3 modèles, 3 prix')
    await page.evaluate(() => window.localStorage.removeItem('hanggent.locale'))
  })
})
