import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Locator, Page } from 'playwright-core'
import nav from '../../admin/src/i18n/messages/nav.ts'
import channels from '../../admin/src/i18n/messages/channels.ts'
import tokens from '../../admin/src/i18n/messages/tokens.ts'
import users from '../../admin/src/i18n/messages/users.ts'
import redemptions from '../../admin/src/i18n/messages/redemptions.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The operations pages in a real browser against a real gateway and a fake OpenAI upstream: a channel
// made through the form (models fetched from the upstream, a type setting), tested and disabled in a
// batch; an API key created and used for a real relay call; a user's quota adjusted; redemption codes
// created and one redeemed by that user.

const ROOT_PASSWORD = 'root-password-123'
const en = { channels: channels.en, tokens: tokens.en, users: users.en, redemptions: redemptions.en }

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

  test('a channel is created through the form with models fetched from the upstream and a type setting, tested, disabled in a batch, edited and its keys revealed', async () => {
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
    // A value the API refuses is explained on its own field.
    await drawer.locator('#channel-base-url').fill('ftp://files.example')
    await drawer.locator('[data-test="channel-save"]').click()
    const baseUrlItem = drawer.locator('.n-form-item', { has: page.locator('#channel-base-url') })
    await baseUrlItem.locator('.n-form-item-feedback', { hasText: 'must be an http(s) URL' }).waitFor()
    await fixture.screenshot(page, 'operations-channel-field-error')
    await drawer.locator('#channel-base-url').fill(fixture.upstream.url)
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
    await page.locator('.n-message', { hasText: 'Done: 1 channel changed' }).waitFor()
    await row.locator('[data-status="manually-disabled"]').waitFor()
    expect(await row.innerText()).toContain(en.channels.status.manuallyDisabled)
    await fixture.screenshot(page, 'operations-channel-disabled')
    // Editing with the keys box left empty keeps the stored keys.
    await row.locator('[data-test="edit-channel"]').click()
    await drawer.waitFor()
    await drawer.getByText('2 keys stored; they stay as they are').waitFor()
    expect(await drawer.locator('#channel-setting-organization').inputValue()).toBe('org-from-the-form')
    await drawer.locator('#channel-priority').fill('5')
    await drawer.locator('[data-test="channel-save"]').click()
    await drawer.waitFor({ state: 'hidden' })
    await page.locator('.n-message', { hasText: 'Channel “fake openai” saved' }).waitFor()
    // Reveal keys: the admin's password is asked (a wrong one is refused on the field), then the keys are shown once.
    await row.locator('[data-test="more-actions"]').click()
    await page.locator('.n-dropdown-option', { hasText: en.channels.actions.revealKeys }).click()
    const reveal = page.locator('[data-test="reveal-dialog"]')
    await reveal.waitFor()
    await reveal.locator('#reveal-password').fill('not-my-password')
    await reveal.locator('#reveal-password').press('Enter')
    await reveal.locator('.n-form-item-feedback', { hasText: 'wrong password' }).waitFor()
    await reveal.locator('#reveal-password').fill(ROOT_PASSWORD)
    await reveal.locator('#reveal-password').press('Enter')
    const keys = page.locator('[data-test="one-time-secret"]')
    await keys.getByText(en.channels.reveal.keysWarning).waitFor()
    expect(await keys.locator('[data-test="secret-value"] input').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))).toEqual([
      'sk-upstream-one',
      'sk-upstream-two',
    ])
    await fixture.screenshot(page, 'operations-channel-keys-revealed')
    await keys.locator('[data-test="secret-done"]').click()
    await keys.waitFor({ state: 'hidden' })

    const stored = await fixture.gateway.admin<{
      items: Array<{ name: string; status: string; priority: number; models: string[]; settings: Record<string, unknown>; keyCount: number }>
    }>('GET', '/api/channels')
    const channel = stored.items.find((item) => item.name === 'fake openai')
    expect(channel).toMatchObject({
      status: 'manually-disabled',
      priority: 5,
      models: ['gpt-4o-mini', 'gpt-4o'],
      settings: { organization: 'org-from-the-form' },
      keyCount: 2,
    })
  })
  test('an API key is created through the form, its one-time key is read from the page and works for a real relay call', async () => {
    await fixture.gateway.createChannel({ name: 'relay target', type: 'openai', key: 'sk-upstream', baseUrl: fixture.upstream.url, models: ['gpt-4o-mini'] })
    const page = await adminPage('/tokens')
    await page.locator('h1', { hasText: nav.en.tokens }).waitFor()
    await page.locator('[data-test="create-token"]').first().click()
    const form = page.locator('[data-test="token-form"]')
    await form.waitFor()
    await form.locator('#token-name').fill('laptop')
    await form.locator('#token-quota').fill('2.5')
    await form.locator('#token-quota').blur()
    await form.getByText('= 1,250,000 quota units').waitFor()
    await form.locator('#token-ips').fill('127.0.0.1\n10.0.0.0/8')
    await fixture.screenshot(page, 'operations-token-form')
    await form.locator('#token-name').press('Enter')

    const secret = page.locator('[data-test="one-time-secret"]')
    await secret.waitFor()
    await secret.getByText(en.tokens.newKeyWarning).waitFor()
    const key = await secret.locator('[data-test="secret-value"] input').inputValue()
    expect(key).toMatch(/^sk-/)
    await fixture.screenshot(page, 'operations-token-key-once')
    await secret.locator('[data-test="secret-done"]').click()
    await secret.waitFor({ state: 'hidden' })

    const row = page.locator('[data-test="token-row"]', { hasText: 'laptop' })
    await row.waitFor()
    expect(await row.locator('[data-test="remaining"]').innerText()).toBe('$2.50')
    expect(await row.innerText()).toContain('2 entries')
    expect(await row.innerText()).not.toContain(key)
    expect(await row.innerText()).toContain(en.tokens.neverUsed)

    const response = await fetch(`${fixture.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    })
    const answer = (await response.json()) as { choices?: Array<{ message?: { content?: string } }> }
    expect(response.status).toBe(200)
    expect(answer.choices?.[0]?.message?.content?.length ?? 0).toBeGreaterThan(0)

    // The key now shows when it was last used instead of "Not used yet".
    await page.reload()
    const used = page.locator('[data-test="token-row"]', { hasText: 'laptop' })
    await used.waitFor()
    const stored = await fixture.gateway.admin<{ items: Array<{ name: string; lastUsedAt: string | null }> }>('GET', '/api/tokens')
    expect(stored.items.find((token) => token.name === 'laptop')?.lastUsedAt).not.toBeNull()
    expect(await used.innerText()).not.toContain(en.tokens.neverUsed)
  })

  test('a user is created, their balance adjusted with a reason, and codes they redeem raise it', async () => {
    const page = await adminPage('/users')
    await page.locator('h1', { hasText: nav.en.users }).waitFor()
    await page.locator('[data-test="create-user"]').click()
    const form = page.locator('[data-test="user-form"]')
    await form.waitFor()
    await form.locator('#user-username').fill('ops-customer')
    await form.locator('#user-password').fill('customer-password-1')
    await form.locator('#user-display-name').fill('Ops Customer')
    await form.locator('[data-test="user-save"]').click()
    await form.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test="user-row"]', { hasText: 'ops-customer' })
    await row.waitFor()
    expect(await row.locator('[data-test="balance"]').innerText()).toBe('$0.00')

    await row.locator('[data-test="adjust-quota"]').click()
    const dialog = page.locator('[data-test="quota-dialog"]')
    await dialog.waitFor()
    await dialog.locator('#quota-amount').fill('25')
    await dialog.locator('#quota-reason').fill('bank transfer #1042')
    await dialog.locator('[data-test="quota-after"]', { hasText: '$25.00' }).waitFor()
    await dialog.getByText('= 12,500,000 quota units').waitFor()
    await fixture.screenshot(page, 'operations-user-quota')
    await dialog.locator('#quota-reason').press('Enter')
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('.n-message', { hasText: 'Balance of “ops-customer” is now $25.00' }).waitFor()
    await row.locator('[data-test="balance"]', { hasText: '$25.00' }).waitFor()
    const { items } = await fixture.gateway.admin<{ items: Array<{ id: number; username: string; quota: number }> }>('GET', '/api/users?q=ops-customer')
    const customer = items.find((user) => user.username === 'ops-customer')
    expect(customer?.quota).toBe(12_500_000)
    const audit = await fixture.gateway.logs({ type: 'manage' })
    expect(audit.map((entry) => entry.content)).toContain('quota changed by 12500000 by root: bank transfer #1042')

    // Codes: a batch of three worth $5 each, shown once.
    await page.goto(`${fixture.gateway.url}/redemptions`)
    await page.locator('h1', { hasText: nav.en.redemptions }).waitFor()
    await page.locator('[data-test="create-redemptions"]').first().click()
    const codeForm = page.locator('[data-test="redemption-form"]')
    await codeForm.waitFor()
    await codeForm.locator('#redemption-name').fill('June promotion')
    await codeForm.locator('#redemption-value').fill('5')
    await codeForm.locator('#redemption-count').fill('3')
    await codeForm.locator('#redemption-count').blur()
    await codeForm.getByText('3 codes, $15.00 in all').waitFor()
    await codeForm.locator('[data-test="redemption-save"]').click()
    const secret = page.locator('[data-test="one-time-secret"]')
    await secret.waitFor()
    const values = secret.locator('[data-test="secret-value"] input')
    await values.nth(2).waitFor()
    const codes = await values.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))
    expect(codes.length).toBe(3)
    expect(await secret.locator('[data-test="copy-all"]').count()).toBe(1)
    const [download] = await Promise.all([page.waitForEvent('download'), secret.locator('[data-test="download"]').click()])
    expect(download.suggestedFilename()).toBe('redemption-codes-June-promotion.txt')
    await fixture.screenshot(page, 'operations-redemption-codes')
    await secret.locator('[data-test="secret-done"]').click()
    await page.locator('[data-test="redemption-row"] [data-status="unused"]').nth(2).waitFor()

    // The customer redeems one on their API keys page and sees the balance change.
    // (The customer's tab replaces the admin's session: the context has one cookie jar.)
    const customerPage = await fixture.newPage()
    customerPage.setDefaultTimeout(10_000)
    await signInThroughPage(customerPage, fixture.gateway.url, 'ops-customer', 'customer-password-1')
    await customerPage.goto(`${fixture.gateway.url}/tokens`)
    const card = customerPage.locator('[data-test="redeem-card"]')
    await card.locator('[data-test="balance"]', { hasText: '$25.00' }).waitFor()
    await card.locator('#redeem-code').fill(codes[0] ?? '')
    await card.locator('#redeem-code').press('Enter')
    await card.locator('[data-test="redeem-result"]', { hasText: '$5.00 added to your balance' }).waitFor()
    await card.locator('[data-test="balance"]', { hasText: '$30.00' }).waitFor()
    await fixture.screenshot(customerPage, 'operations-redeemed')
    // The same code a second time is refused in words.
    await card.locator('#redeem-code').fill(codes[0] ?? '')
    await card.locator('[data-test="redeem-submit"]').click()
    await card.locator('[role="alert"]', { hasText: en.tokens.redeem.invalid }).waitFor()
    expect(await card.locator('[data-test="balance"]').innerText()).toBe('$30.00')

    const adminAgain = await adminPage('/redemptions')
    const redeemed = adminAgain.locator('[data-test="redemption-row"]', { has: adminAgain.locator('[data-status="used"]') })
    await redeemed.locator('[data-test="redeemed-by"]', { hasText: 'ops-customer' }).waitFor()
    expect(await redeemed.count()).toBe(1)
    expect(await redeemed.innerText()).toContain(en.redemptions.status.used)
    await fixture.screenshot(adminAgain, 'operations-redemptions-list')
  })

  test('on a 375 px phone the operations pages scroll their tables, not the page', async () => {
    const page = await adminPage('/channels', { width: 375, height: 740 })
    for (const [path, title] of [
      ['/channels', nav.en.channels],
      ['/tokens', nav.en.tokens],
      ['/users', nav.en.users],
      ['/redemptions', nav.en.redemptions],
    ] as const) {
      await page.goto(`${fixture.gateway.url}${path}`)
      await page.locator('h1', { hasText: title }).waitFor()
      await page.locator('.n-data-table, .empty-state').first().waitFor()
      await fixture.screenshot(page, `operations-phone${path.replace('/', '-')}`)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect({ path, overflow }).toEqual({ path, overflow: 0 })
    }
    // The channel form takes the whole width and stacks its fields.
    await page.goto(`${fixture.gateway.url}/channels`)
    await page.locator('[data-test="create-channel"]').first().click()
    const drawer = page.locator('.n-drawer')
    await drawer.locator('#channel-name').waitFor()
    // The drawer slides in (a CSS transition); measure it once it has settled.
    await page.waitForFunction(() => document.getAnimations().length === 0)
    expect((await drawer.boundingBox())?.width).toBe(375)
    const formOverflow = await drawer.locator('.n-drawer-body-content-wrapper').evaluate((element) => element.scrollWidth - element.clientWidth)
    expect(formOverflow).toBeLessThanOrEqual(0)
    await fixture.screenshot(page, 'operations-phone-channel-form')
  })
})
