import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.ts'

// Issue 13's top-up from the user's side: on the Top-up page a user picks an amount, pays on the fake
// Stripe checkout page (which delivers the signed checkout.session.completed webhook and sends the
// browser back), and sees the new balance and the paid order.

const WEBHOOK_SECRET = 'whsec_browser_topup'

describe('top-up through the dashboard', () => {
  let fixture: BrowserFixture
  let stripe: FakeStripe
  let page: Page
  let userId: number

  beforeAll(async () => {
    stripe = startFakeStripe()
    fixture = await startBrowserFixture()
    await fixture.gateway.admin('PATCH', '/api/topups/settings', {
      stripe: {
        enabled: true,
        secretKey: 'sk_test_browser',
        webhookSecret: WEBHOOK_SECRET,
        apiUrl: stripe.url,
        amounts: { currency: 'USD', presets: [5, 20, 100], minimum: 2, maximum: 500, discounts: [{ minimum: 100, factor: 0.9 }], quotaPerUnit: 500_000 },
      },
    })
    stripe.setWebhook(`${fixture.gateway.url}/api/topups/stripe/webhook`, WEBHOOK_SECRET)
    userId = await fixture.gateway.createUser({ username: 'shopper', quota: 1_000_000 })
    page = await fixture.newPage({ width: 1280, height: 900 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'shopper', 'password-123')
  }, 180_000)
  afterAll(async () => {
    await fixture?.stop()
    await stripe?.stop()
  })

  test('a user pays 20 USD on the checkout page, comes back, and sees the balance and the paid order', async () => {
    await page.goto(`${fixture.gateway.url}/topup`)
    await page.locator('[data-test="redeem-card"]').waitFor()
    expect(await page.locator('[data-test="balance"]').innerText()).toContain('2.00')
    await page.locator('[data-test="topup-presets"] [data-preset="20"]').click()
    expect(await page.locator('[data-test="topup-preview"]').innerText()).toContain('20')
    await page.locator('[data-test="topup-pay"]').click()

    await page.waitForURL(`${stripe.url}/pay/**`)
    expect(await page.locator('#summary').innerText()).toContain('20.00 USD')
    await page.locator('#pay').click()

    await page.waitForURL(`${fixture.gateway.url}/topup?**`)
    await page.locator('[data-test="topup-return"]').waitFor()
    expect(await page.locator('[data-test="topup-return"]').innerText()).toContain('Payment received')
    expect(await page.locator('[data-test="balance"]').innerText()).toContain('22.00')
    const row = page.locator('[data-test="topup-history"] tbody tr').first()
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('paid')
    expect(await row.innerText()).toContain('20.00 USD')
    expect((await fixture.gateway.balance(userId)).quota).toBe(11_000_000)
    await fixture.screenshot(page, 'topup-paid')
  }, 60_000)

  test('an admin edits the Stripe settings on the Top-up tab; the stored secret is kept and never shown', async () => {
    const admin = await fixture.newPage({ width: 1280, height: 1400 })
    admin.setDefaultTimeout(15_000)
    await signInThroughPage(admin, fixture.gateway.url, 'root', 'root-password-123')
    await admin.goto(`${fixture.gateway.url}/settings?tab=topup`)
    const card = admin.locator('[data-test="topup-settings-stripe"]')
    await card.waitFor()
    expect(await card.innerText()).toContain('A secret is stored')
    expect(await admin.content()).not.toContain('sk_test_browser')
    const minimum = card.locator('.n-form-item', { hasText: 'Minimum amount' }).locator('input')
    await minimum.fill('3')
    await card.locator('[data-test="save-stripe"]').click()
    await admin.locator('.n-message', { hasText: 'Saved' }).first().waitFor()
    const stored = await fixture.gateway.admin<{ stripe: { secretKeySet: boolean; amounts: { minimum: number } } }>('GET', '/api/topups/settings')
    expect(stored.stripe).toMatchObject({ secretKeySet: true, amounts: { minimum: 3 } })
    await admin.close()
  }, 60_000)
})
