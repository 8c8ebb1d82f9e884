import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Locator, Page } from 'playwright-core'
import nav from '../../admin/src/i18n/messages/nav.ts'
import channels from '../../admin/src/i18n/messages/channels.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The operations pages in a real browser against a real gateway and a fake OpenAI upstream: a channel
// made through the form (models fetched from the upstream, a type setting), tested and disabled in a
// batch; an API key created and used for a real relay call; a user's quota adjusted; redemption codes
// created and one redeemed by that user.

const ROOT_PASSWORD = 'root-password-123'
const en = { channels: channels.en }

describe('operations pages in the browser', () => {
  let fixture: BrowserFixture

  beforeAll(async () => {
    fixture = await startBrowserFixture()
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  async function adminPage(path: string, options?: { width?: number; height?: number }): Promise<Page> {
    const page = await fixture.newPage(options)
    page.setDefaultTimeout(10_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.goto(`${fixture.gateway.url}${path}`)
    return page
  }

  /** Opens a naive-ui select and picks the option showing `label`. */
  async function choose(page: Page, select: Locator, label: string): Promise<void> {
    await select.click()
    await page.locator('.n-base-select-option', { hasText: label }).first().click()
  }

  test('a channel is created through the form with models fetched from the upstream and a type setting, tested, and disabled in a batch', async () => {
    const page = await adminPage('/channels')
    await page.locator('h1', { hasText: nav.en.channels }).waitFor()
    await page.locator('[data-test="create-channel"]').first().click()
    const drawer = page.locator('[data-test="channel-drawer"]')
    await drawer.waitFor()
    await choose(page, drawer.locator('[data-test="channel-type"]'), 'OpenAI (openai)')
    await drawer.locator('#channel-name').fill('fake openai')
    await drawer.locator('#channel-base-url').fill(fixture.upstream.url)
    await drawer.locator('#channel-keys').fill('sk-upstream-one\nsk-upstream-two')
    await drawer.locator('#channel-setting-organization').fill('org-from-the-form')
    await fixture.screenshot(page, 'operations-channel-form')

    await drawer.locator('[data-test="fetch-models"]').click()
    const picker = page.locator('[data-test="upstream-models"]')
    await picker.waitFor()
    await picker.getByText('gpt-4o-mini', { exact: true }).waitFor()
    await fixture.screenshot(page, 'operations-channel-upstream-models')
    // The embedding model is not wanted on this channel: untick it, import the rest.
    await picker.locator('[data-model="text-embedding-3-small"]').click()
    await picker.locator('[data-test="import-models"]').click()
    await picker.waitFor({ state: 'hidden' })
    const models = drawer.locator('[data-test="channel-models"]')
    expect(await models.innerText()).toContain('gpt-4o-mini')
    expect(await models.innerText()).toContain('gpt-4o')
    expect(await models.innerText()).not.toContain('text-embedding-3-small')
    await drawer.locator('[data-test="channel-save"]').click()
    await drawer.waitFor({ state: 'hidden' })

    const row = page.locator('[data-test="channel-row"]', { hasText: 'fake openai' })
    await row.waitFor()
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('enabled')
    expect(await row.innerText()).toContain(en.channels.test.never)

    await row.locator('[data-test="test-channel"]').click()
    await page.locator('.n-message', { hasText: /answered with gpt-4o-mini in \d+ ms/ }).waitFor()
    const latency = row.locator('[data-test="latency"]')
    await latency.waitFor()
    expect(await latency.innerText()).toMatch(/^\d[\d,]* ms$/)
    const sent = fixture.upstream.requests.filter((request) => request.path === '/v1/chat/completions')
    expect(sent.at(-1)?.headers['openai-organization']).toBe('org-from-the-form')
    await fixture.screenshot(page, 'operations-channel-tested')

    await row.locator('.n-checkbox').click()
    await page.locator('[data-test="batch-target"]', { hasText: '1 selected' }).waitFor()
    await page.locator('[data-test="batch-disable"]').click()
    await page.locator('.n-message', { hasText: 'Done: 1 channels changed' }).waitFor()
    await row.locator('[data-status="manually-disabled"]').waitFor()
    expect(await row.innerText()).toContain(en.channels.status.manuallyDisabled)
    await fixture.screenshot(page, 'operations-channel-disabled')
    const stored = await fixture.gateway.admin<{ items: Array<{ name: string; status: string; models: string[]; settings: Record<string, unknown>; keyCount: number }> }>('GET', '/api/channels')
    const channel = stored.items.find((item) => item.name === 'fake openai')
    expect(channel).toMatchObject({ status: 'manually-disabled', models: ['gpt-4o-mini', 'gpt-4o'], settings: { organization: 'org-from-the-form' }, keyCount: 2 })
  })
})
