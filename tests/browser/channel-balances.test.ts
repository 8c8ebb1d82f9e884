import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Locator, Page } from 'playwright-core'
import nav from '../../admin/src/i18n/messages/nav.ts'
import channels from '../../admin/src/i18n/messages/channels.ts'
import { startFakeBalanceVendor, type BalanceVendor, type FakeBalanceVendor } from '../support/fake-balance-vendors.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// Channel balances in a real browser: three channels on fake OpenRouter, DeepSeek and SiliconFlow
// upstreams (each answering its vendor's documented balance shape) read with "Refresh balances"; a
// fourth made through the form with a Moonshot balance source and read from its row; a threshold set in
// the form flags and disables a channel whose balance fell; a failed read shows as such beside the last amount.

const ROOT_PASSWORD = 'root-password-123'
const VENDOR_KEY = 'sk-vendor-browser-0123456789'
const words = channels.en.balance

describe('channel balances in the browser', () => {
  let fixture: BrowserFixture
  const fakes = {} as Record<BalanceVendor, FakeBalanceVendor>

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    for (const vendor of ['openrouter', 'deepseek', 'siliconflow', 'moonshot'] as const)
      fakes[vendor] = await startFakeBalanceVendor(vendor, { key: VENDOR_KEY })
    for (const vendor of ['openrouter', 'deepseek', 'siliconflow'] as const) {
      await fixture.gateway.createChannel({
        name: `${vendor} account`,
        type: 'openai-compatible',
        key: VENDOR_KEY,
        baseUrl: fakes[vendor].baseUrl,
        models: [`${vendor}-model`],
        balanceSource: vendor,
      })
    }
  })
  afterAll(async () => {
    await fixture?.stop()
    for (const fake of Object.values(fakes)) await fake.stop()
  })

  async function adminPage(path: string): Promise<Page> {
    const page = await fixture.newPage({ width: 1920, height: 1000 })
    page.setDefaultTimeout(10_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.goto(`${fixture.gateway.url}${path}`)
    return page
  }

  const row = (page: Page, name: string) => page.locator('[data-test="channel-row"]', { hasText: name })
  const amountOf = (target: Locator) => target.locator('[data-test="balance-amount"]').innerText()

  test('"Refresh balances" reads each vendor and the list shows amount, currency and when; a row refreshes on its own', async () => {
    const page = await adminPage('/channels')
    await page.locator('h1', { hasText: nav.en.channels }).waitFor()
    await row(page, 'deepseek account').waitFor()
    expect(await row(page, 'deepseek account').locator('[data-test="balance-cell"]').innerText()).toContain(words.notRead)

    await page.locator('[data-test="refresh-balances"]').click()
    await page.locator('.n-message', { hasText: '3 balances read' }).waitFor()
    await row(page, 'openrouter account').locator('[data-test="balance-amount"]').waitFor()
    expect(await amountOf(row(page, 'openrouter account'))).toBe('$74.75')
    expect(await amountOf(row(page, 'deepseek account'))).toBe('¥110.00')
    expect(await amountOf(row(page, 'siliconflow account'))).toBe('¥88.88')
    expect(await row(page, 'deepseek account').locator('[data-test="balance-read-at"]').innerText()).toBe('now')
    expect(fakes.openrouter.balanceRequests() + fakes.deepseek.balanceRequests() + fakes.siliconflow.balanceRequests()).toBe(3)
    await fixture.screenshot(page, 'channel-balances-read')

    // The upstream's balance moved: the row's own button reads it again.
    fakes.siliconflow.setAmount(61.5)
    await row(page, 'siliconflow account').locator('[data-test="refresh-balance"]').click()
    await page.locator('.n-message', { hasText: '“siliconflow account”: balance ¥61.50' }).waitFor()
    await row(page, 'siliconflow account').locator('[data-test="balance-amount"]', { hasText: '¥61.50' }).waitFor()
    expect(fakes.siliconflow.balanceRequests()).toBe(2)
  })

  test('a channel made through the form with a Moonshot balance source is read from its row', async () => {
    const page = await adminPage('/channels')
    await page.locator('[data-test="create-channel"]').first().click()
    const drawer = page.locator('[data-test="channel-drawer"]')
    await drawer.waitFor()
    await drawer.locator('[data-test="channel-type"]').click()
    await page.locator('.n-base-select-option', { hasText: 'OpenAI-compatible (openai-compatible)' }).first().click()
    await drawer.locator('#channel-name').fill('kimi account')
    await drawer.locator('#channel-base-url').fill(fakes.moonshot.baseUrl)
    await drawer.locator('#channel-keys').fill(VENDOR_KEY)
    await drawer.locator('[data-test="channel-models"]').click()
    await page.keyboard.type('kimi-model')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Escape')
    // 127.0.0.1 is no vendor's host: the form says so until a source is chosen.
    expect(await drawer.locator('[data-test="balance-source-hint"]').innerText()).toBe(words.sourceNone)
    await drawer.locator('[data-test="channel-balance-source"]').click()
    await page.locator('.n-base-select-option', { hasText: 'Moonshot (Kimi) balance' }).first().click()
    expect(await drawer.locator('[data-test="balance-source-hint"]').innerText()).toBe(words.sourceChosen)
    await fixture.screenshot(page, 'channel-balances-form')
    await drawer.locator('[data-test="channel-save"]').click()
    await drawer.waitFor({ state: 'hidden' })

    const kimi = row(page, 'kimi account')
    await kimi.waitFor()
    await kimi.locator('[data-test="refresh-balance"]').click()
    await kimi.locator('[data-test="balance-amount"]').waitFor()
    expect(await amountOf(kimi)).toBe('¥49.59')
    expect(fakes.moonshot.balanceRequests()).toBe(1)
  })

  test('a threshold set in the form flags the channel once its balance falls, and auto-disable takes it out', async () => {
    const page = await adminPage('/channels')
    const deepseek = row(page, 'deepseek account')
    await deepseek.waitFor()
    await deepseek.locator('[data-test="edit-channel"]').click()
    const drawer = page.locator('[data-test="channel-drawer"]')
    await drawer.waitFor()
    await drawer.locator('#channel-balance-threshold').fill('5')
    await drawer.locator('#channel-balance-threshold').blur()
    await drawer.locator('[data-test="channel-balance-auto-disable"]').click()
    await drawer.locator('[data-test="channel-save"]').click()
    await drawer.waitFor({ state: 'hidden' })

    fakes.deepseek.setAmount(3.2)
    await deepseek.locator('[data-test="refresh-balance"]').click()
    await deepseek.locator('[data-test="balance-low"]').waitFor()
    expect(await amountOf(deepseek)).toBe('¥3.20')
    await deepseek.locator('[data-status="auto-disabled"]').waitFor()
    await deepseek.locator('[data-test="balance-low"]').hover()
    await page.locator('.n-tooltip', { hasText: 'Below the threshold of ¥5.00' }).waitFor()
    await fixture.screenshot(page, 'channel-balances-low')
    const stored = await fixture.gateway.admin<{
      items: Array<{ name: string; status: string; balanceThreshold: number | null; balanceAutoDisable: boolean }>
    }>('GET', '/api/channels')
    expect(stored.items.find((item) => item.name === 'deepseek account')).toMatchObject({
      status: 'auto-disabled',
      balanceThreshold: 5,
      balanceAutoDisable: true,
    })
  })

  test('a failed read shows beside the last amount it keeps', async () => {
    const page = await adminPage('/channels')
    const openrouter = row(page, 'openrouter account')
    await openrouter.locator('[data-test="balance-amount"]').waitFor()
    fakes.openrouter.queue({ kind: 'status', status: 401 })
    await openrouter.locator('[data-test="refresh-balance"]').click()
    await page.locator('.n-message', { hasText: 'No auth credentials found' }).waitFor()
    await openrouter.locator('[data-test="balance-error"]').waitFor()
    expect(await amountOf(openrouter)).toBe('$74.75')
    await openrouter.locator('[data-test="balance-error"]').hover()
    await page.locator('.n-tooltip', { hasText: 'HTTP 401' }).waitFor()
    await fixture.screenshot(page, 'channel-balances-error')
  })
})
