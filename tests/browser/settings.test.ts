import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Locator, Page } from 'playwright-core'
import settings from '../../admin/src/i18n/messages/settings.ts'
import common from '../../admin/src/i18n/messages/common.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The settings page in a real browser against a real gateway: site name, a rate limit the API
// refuses, a model price override, a group with a ratio, driven as an operator would.

const ROOT_PASSWORD = 'root-password-123'
const en = settings.en

describe('settings page in the browser', () => {
  let fixture: BrowserFixture

  beforeAll(async () => {
    fixture = await startBrowserFixture()
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  async function settingsPage(tab?: string): Promise<Page> {
    const page = await fixture.newPage()
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.locator('[data-menu="settings"]').click()
    await page.locator('[data-test="settings-tabs"]').waitFor()
    if (tab) await openTab(page, tab)
    return page
  }

  async function openTab(page: Page, label: string): Promise<void> {
    await page.locator('.n-tabs-tab', { hasText: label }).click()
  }

  /** The form item (label, control, feedback) around a control. */
  function formItem(page: Page, control: string): Locator {
    return page.locator('.n-form-item', { has: page.locator(control) })
  }

  test('a new site name shows in the header and the tab title after a reload', async () => {
    const page = await settingsPage()
    const input = page.locator('[data-test="site-name-input"] input')
    expect(await input.inputValue()).toBe('Hanggent API')
    await input.fill('Acme AI Gateway')
    await page.locator('[data-test="save-site"]').click()
    await page.locator('.n-message', { hasText: en.saved }).waitFor()
    await page.reload()
    await page.locator('.app-layout__brand', { hasText: 'Acme AI Gateway' }).waitFor()
    await fixture.screenshot(page, 'settings-site-name')
    expect(await page.title()).toContain('Acme AI Gateway')
    expect(await page.locator('[data-test="site-name-input"] input').inputValue()).toBe('Acme AI Gateway')
    const options = await fixture.gateway.admin<{ general: { siteName: string } }>('GET', '/api/options')
    expect(options.general.siteName).toBe('Acme AI Gateway')
  })

  test('a rate limit the API refuses is explained on its field, and a valid one is saved', async () => {
    const page = await settingsPage(en.tabs.rateLimits)
    const window = page.locator('[data-test="window-seconds"] input')
    await window.fill('0')
    await page.locator('[data-test="save-rate-limits"]').click()
    const item = formItem(page, '[data-test="window-seconds"]')
    await item.locator('.n-form-item-feedback', { hasText: 'greater or equal to 1' }).waitFor()
    await page.locator('[role="alert"][data-error-code="invalid_request"]').waitFor()
    await fixture.screenshot(page, 'settings-rate-limit-error')
    expect(await item.getAttribute('class')).toContain('n-form-item')
    expect((await fixture.gateway.admin<{ rateLimits: { windowSeconds: number } }>('GET', '/api/options')).rateLimits.windowSeconds).toBe(60)

    await window.fill('120')
    await page.locator('[data-test="add-override"]').click()
    const row = page.locator('[data-test="override-row"]').last()
    await row.locator('[data-test="override-group"]').click()
    await page.keyboard.type('vip')
    await page.keyboard.press('Enter')
    await row.locator('[data-test="override-total"] input').fill('500')
    await page.locator('[data-test="save-rate-limits"]').click()
    await page.locator('.n-message', { hasText: en.saved }).waitFor()
    expect(await item.locator('.n-form-item-feedback', { hasText: 'greater or equal' }).count()).toBe(0)
    const limits = (await fixture.gateway.admin<{ rateLimits: { windowSeconds: number; groupOverrides: Record<string, unknown> } }>('GET', '/api/options')).rateLimits
    expect(limits.windowSeconds).toBe(120)
    expect(limits.groupOverrides).toEqual({ vip: { userModelTotal: 500 } })
  })

  test('a price override changes the effective price; reverting brings the list price back', async () => {
    await fixture.gateway.createChannel({ name: 'mini', type: 'openai', key: 'sk-upstream', baseUrl: fixture.upstream.url, models: ['gpt-4o-mini'] })
    const page = await settingsPage(en.tabs.pricing)
    await page.locator('[data-test="pricing-search"] input').fill('gpt-4o-mini')
    const row = page.locator('tr[data-model="gpt-4o-mini"]')
    const effective = row.locator('[data-test="effective-price"]')
    await effective.waitFor()
    expect(await effective.innerText()).toContain('$0.15')
    expect(await row.locator('[data-test="price-source"]').innerText()).toBe(en.pricing.sourcePlugin)

    await row.locator('[data-test="edit-price"]').click()
    const editor = page.locator('[data-test="price-editor"]')
    await editor.locator('[data-test="usd-inputPerMTok"] input').fill('1')
    await editor.locator('[data-test="usd-outputPerMTok"] input').fill('4')
    await editor.locator('[data-test="save-price"]').click()
    await editor.waitFor({ state: 'detached' })
    await row.locator('[data-test="price-source"]', { hasText: en.pricing.sourceOverride }).waitFor()
    expect(await effective.innerText()).toContain('$1.00')
    expect(await effective.innerText()).toContain('$4.00')
    await fixture.screenshot(page, 'settings-price-override')

    // The same model in New API's ratio form: ratio 0.25 = 0.50 USD input, completion 3 = 1.50 USD output.
    await row.locator('[data-test="edit-price"]').click()
    await editor.locator('[data-test="mode-ratio"]').click()
    await editor.locator('[data-test="ratio-model"] input').fill('0.25')
    await editor.locator('[data-test="ratio-completion"] input').fill('3')
    await editor.locator('[data-test="ratio-preview"]', { hasText: '$1.50' }).waitFor()
    await editor.locator('[data-test="save-price"]').click()
    await row.locator('[data-test="price-source"]', { hasText: en.pricing.sourceRatio }).waitFor()
    expect(await effective.innerText()).toContain('$0.50')
    expect(await effective.innerText()).toContain('$1.50')
    const models = await fixture.gateway.admin<{ items: Array<{ model: string; source: string; price: { inputPerMTok: number } }> }>('GET', '/api/models?q=gpt-4o-mini')
    expect(models.items.find((item) => item.model === 'gpt-4o-mini')).toMatchObject({ source: 'ratio', price: { inputPerMTok: 0.5 } })

    await row.locator('[data-test="revert-price"]').click()
    await page.locator('.n-dialog .n-button', { hasText: en.pricing.revert }).click()
    await row.locator('[data-test="price-source"]', { hasText: en.pricing.sourcePlugin }).waitFor()
    expect(await effective.innerText()).toContain('$0.15')
  })

  test('a group is created with its ratio; a group in use cannot be deleted, and the page says why', async () => {
    const page = await settingsPage(en.tabs.groups)
    await page.locator('[data-test="new-group"]').click()
    const editor = page.locator('[data-test="group-editor"]')
    await editor.locator('[data-test="group-name"] input').fill('resellers')
    await editor.locator('[data-test="group-ratio-input"] input').fill('0.8')
    await editor.locator('[data-test="group-description"] input').fill('20% off')
    await editor.locator('[data-test="group-description"] input').press('Enter')
    const row = page.locator('tr[data-group="resellers"]')
    await row.waitFor()
    expect(await row.locator('[data-test="group-ratio"]').innerText()).toBe('×0.8')
    expect(await row.innerText()).toContain('20% off')
    await fixture.screenshot(page, 'settings-group-created')
    const groups = await fixture.gateway.admin<Array<{ name: string; ratio: number; description: string }>>('GET', '/api/groups')
    expect(groups.find((group) => group.name === 'resellers')).toMatchObject({ ratio: 0.8, description: '20% off' })

    await fixture.gateway.createUser({ username: 'reseller-one', quota: 0, group: 'resellers' })
    await page.locator('.n-tabs-tab', { hasText: en.tabs.general }).click()
    await openTab(page, en.tabs.groups)
    await row.locator('[data-test="delete-group"]').click()
    await page.locator('.n-dialog .n-button', { hasText: common.en.actions.delete }).click()
    await page.locator('.n-message', { hasText: en.groups.inUse }).waitFor()
    expect(await page.locator('.n-message').last().innerText()).toContain('in use by 1 user')
    expect(await row.count()).toBe(1)
  })
})
