import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { users } from '../../core/db/schema.ts'
import { hashPassword } from '../../core/security/password.ts'
import { LOCALES } from '../../admin/src/i18n/locales.ts'
import nav from '../../admin/src/i18n/messages/nav.ts'
import tokens from '../../admin/src/i18n/messages/tokens.ts'
import setup from '../../admin/src/i18n/messages/setup.ts'
import { startBrowserFixture, type BrowserFixture } from './harness.ts'

// An operator's first hour in one browser session, as the dashboard issue asks to see it: first-run
// setup with the printed password, a channel to a (fake) upstream made through the form, an API key,
// a streamed chat in the playground, that call in the logs and on the overview, the five languages,
// the dark theme and a 375 px phone. Every step keeps a screenshot in .artifacts/screenshots/journey-*.

const PRINTED_PASSWORD = 'printed-once-password'
const OWNER_PASSWORD = 'owner-password-123'
/** What the fake OpenAI upstream streams for a chat call (tests/support/fake-openai.ts fixture). */
const STREAMED_ANSWER = "The capital of France is Paris. It's known for the Eiffel Tower."

describe('operator journey in the browser', () => {
  let fixture: BrowserFixture
  let page: Page
  let relayKey = ''

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    // A first boot without ROOT_PASSWORD: root has a password printed once and must replace it.
    await fixture.gateway.context.database.db
      .update(users)
      .set({ passwordHash: await hashPassword(PRINTED_PASSWORD), passwordChangeRequired: true })
      .where(eq(users.username, 'root'))
    page = await fixture.newPage({ width: 1280, height: 860 })
    page.setDefaultTimeout(15_000)
    // Charts draw their final frame at once for a reader who asks for less motion, so the overview's
    // screenshot shows them drawn without waiting out the animation.
    await page.emulateMedia({ reducedMotion: 'reduce' })
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  const open = (path: string) => page.goto(`${fixture.gateway.url}${path}`)

  test('first-run setup trades the printed password for the owner account and signs in', async () => {
    await open('/')
    await page.waitForURL((url) => url.pathname === '/setup')
    await fixture.screenshot(page, 'journey-1-setup')
    // A refused field is named by its label on the form, never by the request's field name.
    await page.locator('[data-test="bootstrap-password"] input').fill('x'.repeat(129))
    await page.locator('[data-test="password"] input').fill(OWNER_PASSWORD)
    await page.locator('[data-test="confirm"] input').fill(OWNER_PASSWORD)
    await page.locator('[data-test="submit"]').click()
    const refused = page.locator('[role="alert"][data-error-code="invalid_request"]')
    await refused.waitFor()
    expect(await refused.innerText()).toContain(`${setup.en.bootstrapPassword}: `)
    expect(await refused.innerText()).not.toContain('bootstrapPassword')
    await page.locator('[data-test="bootstrap-password"] input').fill(PRINTED_PASSWORD)
    await page.locator('[data-test="username"] input').fill('owner')
    await page.locator('[data-test="password"] input').fill(OWNER_PASSWORD)
    await page.locator('[data-test="confirm"] input').fill(OWNER_PASSWORD)
    await page.locator('[data-test="site-name-input"] input').fill('Acme AI')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="user-menu"]', { hasText: 'owner' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.title()).toContain('Acme AI')
    const [owner] = await fixture.gateway.context.database.db.select().from(users).where(eq(users.role, 'root'))
    expect([owner?.username, owner?.passwordChangeRequired]).toEqual(['owner', false])
    // The printed password is spent.
    const again = await fetch(`${fixture.gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'owner', password: PRINTED_PASSWORD }),
    })
    expect(again.status).toBe(401)
    await fixture.screenshot(page, 'journey-2-signed-in')
  })

  test('a channel pointing at the upstream is created through the form, with its model list fetched from it', async () => {
    await open('/channels')
    await page.locator('h1', { hasText: nav.en.channels }).waitFor()
    await page.locator('[data-test="create-channel"]').first().click()
    const drawer = page.locator('[data-test="channel-drawer"]')
    await drawer.waitFor()
    await page.locator('[data-test="channel-type"]').click()
    await page.locator('.n-base-select-option', { hasText: 'OpenAI (openai)' }).first().click()
    await drawer.locator('#channel-name').fill('upstream one')
    await drawer.locator('#channel-base-url').fill(fixture.upstream.url)
    await drawer.locator('#channel-keys').fill('sk-upstream-journey')
    await drawer.locator('[data-test="fetch-models"]').click()
    const picker = page.locator('[data-test="upstream-models"]')
    await picker.getByText('gpt-4o-mini', { exact: true }).waitFor()
    await picker.locator('[data-test="import-models"]').click()
    await picker.waitFor({ state: 'hidden' })
    await fixture.screenshot(page, 'journey-3-channel-form')
    await drawer.locator('[data-test="channel-save"]').click()
    await drawer.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test="channel-row"]', { hasText: 'upstream one' })
    await row.locator('[data-status="enabled"]').waitFor()
    await fixture.screenshot(page, 'journey-4-channel-list')
    const stored = await fixture.gateway.admin<{ items: Array<{ name: string; baseUrl: string; models: string[] }> }>('GET', '/api/channels')
    expect(stored.items.map((channel) => [channel.name, channel.baseUrl, channel.models.includes('gpt-4o-mini')])).toEqual([
      ['upstream one', fixture.upstream.url, true],
    ])
  })

  test('an API key is created and its key is shown once', async () => {
    await open('/tokens')
    await page.locator('h1', { hasText: nav.en.tokens }).waitFor()
    await page.locator('[data-test="create-token"]').first().click()
    const form = page.locator('[data-test="token-form"]')
    await form.waitFor()
    await form.locator('#token-name').fill('first key')
    await form.locator('#token-quota').fill('5')
    await form.locator('#token-name').press('Enter')
    const secret = page.locator('[data-test="one-time-secret"]')
    await secret.getByText(tokens.en.newKeyWarning).waitFor()
    relayKey = await secret.locator('[data-test="secret-value"] input').inputValue()
    expect(relayKey).toMatch(/^sk-/)
    await fixture.screenshot(page, 'journey-5-key-once')
    await secret.locator('[data-test="secret-done"]').click()
    await page.locator('[data-test="token-row"]', { hasText: 'first key' }).waitFor()
    expect(await page.locator('body').innerText()).not.toContain(relayKey)
  })

  test('the playground streams an answer from the upstream', async () => {
    await open('/playground')
    await page.locator('[data-test="model"]').click()
    await page.locator('.n-base-select-option', { hasText: /^gpt-4o-mini$/ }).click()
    // A slow stream, so the answer is seen arriving before it is complete.
    fixture.upstream.nextResponses.push({ kind: 'stream-gap', gapMs: 80 })
    await page.locator('[data-test="message"] textarea').fill('Capital of France?')
    await page.keyboard.press('Enter')
    const answer = page.locator('[data-role="assistant"] [data-test="chat-text"]').last()
    await answer.getByText('The capital', { exact: false }).waitFor()
    const partial = await answer.innerText()
    await fixture.screenshot(page, 'journey-6-playground-streaming')
    await page.locator('[data-role="assistant"][data-status="done"]').waitFor()
    expect(partial.length).toBeLessThan(STREAMED_ANSWER.length)
    expect(await answer.innerText()).toBe(STREAMED_ANSWER)
    await fixture.screenshot(page, 'journey-7-playground-done')
  })

  test('the call is in the logs and counted on the overview', async () => {
    // Usage rows are written in batches off the request path: let the batch land before reading.
    await fixture.gateway.logs()
    await open('/logs')
    const rows = page.locator('[data-test="log-table"] tbody tr')
    await rows.first().locator('[data-test="log-model"]').waitFor()
    const consumed = await rows.filter({ hasText: 'gpt-4o-mini' }).count()
    expect(consumed).toBe(1)
    await fixture.screenshot(page, 'journey-8-logs')

    await open('/')
    await page.locator('[data-test="card-requests"]').getByText('1', { exact: true }).waitFor()
    await page.locator('[data-test="chart-over-time"] canvas').waitFor()
    await page.locator('[data-test="chart-by-model"] canvas').waitFor()
    const described = await page
      .locator('[data-test="chart-by-model"] [aria-label]')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? '').join(' '))
    expect(described).toContain('gpt-4o-mini')
    await fixture.screenshot(page, 'journey-9-overview')
  })

  test('the dashboard speaks each of the five languages', async () => {
    for (const locale of LOCALES) {
      await page.locator('[data-test="language-switch"]').click()
      await page.locator(`[data-locale="${locale}"]`).click()
      await page.locator('[data-menu="logs"]', { hasText: nav[locale].logs }).waitFor()
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale)
      await page.waitForFunction(() => document.getAnimations().length === 0)
      await fixture.screenshot(page, `journey-10-language-${locale}`)
    }
    await page.locator('[data-test="language-switch"]').click()
    await page.locator('[data-locale="en"]').click()
    await page.locator('[data-menu="logs"]', { hasText: nav.en.logs }).waitFor()
  })

  test('the dark theme darkens the overview', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    const before = await background()
    await page.locator('[data-test="theme-switch"]').click()
    await page.locator('[data-theme-choice="dark"]').click()
    await page.waitForFunction((light) => getComputedStyle(document.body).backgroundColor !== light, before)
    await page.waitForFunction(() => document.body.getAnimations().length === 0)
    expect(luminance(before)).toBeGreaterThan(0.8)
    expect(luminance(await background())).toBeLessThan(0.2)
    await fixture.screenshot(page, 'journey-11-dark')
  })

  test('on a 375 px phone the same pages fit the screen', async () => {
    await page.setViewportSize({ width: 375, height: 760 })
    for (const path of ['/', '/logs', '/playground', '/channels', '/tokens']) {
      await open(path)
      await page.locator('h1').waitFor()
      await page.waitForFunction(() => document.body.getAnimations().length === 0)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect({ path, overflow }).toEqual({ path, overflow: 0 })
    }
    await page.locator('[data-test="open-menu"]').click()
    await page.locator('.n-drawer [data-menu="overview"]').waitFor()
    await page.waitForFunction(() => document.getAnimations().length === 0)
    await fixture.screenshot(page, 'journey-12-phone-menu')
  })
})

/** Relative luminance (0 black – 1 white) of a CSS `rgb(r, g, b)` colour. */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number)
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
}
