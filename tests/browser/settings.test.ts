import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Locator, Page } from 'playwright-core'
import { Secret, TOTP } from 'otpauth'
import settings from '../../admin/src/i18n/messages/settings.ts'
import profile from '../../admin/src/i18n/messages/profile.ts'
import login from '../../admin/src/i18n/messages/login.ts'
import common from '../../admin/src/i18n/messages/common.ts'
import errors from '../../admin/src/i18n/messages/errors.ts'
import ops from '../../admin/src/i18n/messages/ops.ts'
import { startFakeOAuthProvider, type FakeOAuthProvider } from '../support/fake-oauth.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The settings and profile pages in a real browser against a real gateway, driven as an operator
// and a user would: site name, a rate limit the API refuses, a price override, a group; then one's
// own password, two-step sign-in, a personal access token, and a provider sign-in that owes a code.

const ROOT_PASSWORD = 'root-password-123'
const en = settings.en
const me = profile.en

/** The code an authenticator app shows for a secret, `offsetSteps` 30-second steps from now. */
function authenticatorCode(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) })
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 })
}

describe('settings page in the browser', () => {
  let fixture: BrowserFixture
  let github: FakeOAuthProvider

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    github = startFakeOAuthProvider('github')
    // Every test signs in through the page; the brute-force guard (10 a minute) must not get in the way.
    await fixture.gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
  })
  afterAll(async () => {
    await fixture?.stop()
    await github?.stop()
  })

  async function freshPage(options?: { width?: number; height?: number }): Promise<Page> {
    const page = await fixture.newPage(options)
    page.setDefaultTimeout(15_000)
    return page
  }

  async function profilePage(username: string, password: string): Promise<Page> {
    const page = await freshPage()
    await signInThroughPage(page, fixture.gateway.url, username, password)
    await page.locator('[data-test="user-menu"]').click()
    await page.locator('.n-dropdown-option', { hasText: 'My account' }).click()
    await page.locator('[data-test="account-card"]').waitFor()
    return page
  }

  async function signOut(page: Page): Promise<void> {
    await page.locator('[data-test="user-menu"]').click()
    await page.locator('[data-test="sign-out"]').click()
    await page.waitForURL((url) => url.pathname === '/login')
  }

  async function settingsPage(tab?: string): Promise<Page> {
    const page = await freshPage()
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
    // The message above the form says what happened; the reason is on the field, not repeated with the request's field path.
    expect(await page.locator('[role="alert"]').innerText()).not.toContain('rateLimits.windowSeconds')
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
    // The error leaves its field (it fades out, hence the wait).
    await item.locator('.n-form-item-feedback', { hasText: 'greater or equal' }).waitFor({ state: 'detached' })
    const limits = (await fixture.gateway.admin<{ rateLimits: { windowSeconds: number; groupOverrides: Record<string, unknown> } }>('GET', '/api/options'))
      .rateLimits
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
    await fixture.screenshot(page, 'settings-price-editor-ratio')
    await editor.locator('[data-test="save-price"]').click()
    await row.locator('[data-test="price-source"]', { hasText: en.pricing.sourceRatio }).waitFor()
    expect(await effective.innerText()).toContain('$0.50')
    expect(await effective.innerText()).toContain('$1.50')
    const models = await fixture.gateway.admin<{ items: Array<{ model: string; source: string; price: { inputPerMTok: number } }> }>(
      'GET',
      '/api/models?q=gpt-4o-mini',
    )
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

  test('changing one’s password: a wrong current one is explained on its field; then the new one signs in', async () => {
    await fixture.gateway.createUser({ username: 'alice', quota: 1_000_000 })
    const page = await profilePage('alice', 'password-123')
    expect(await page.locator('[data-test="balance"]').innerText()).toBe('$2.00')
    await page.locator('[data-test="current-password"] input').fill('not-my-password')
    await page.locator('[data-test="new-password"] input').fill('a-brand-new-secret')
    await page.locator('[data-test="confirm-password"] input').fill('a-brand-new-secret')
    await page.locator('[data-test="change-password"]').click()
    await formItem(page, '[data-test="current-password"]').locator('.n-form-item-feedback', { hasText: me.password.wrongCurrent }).waitFor()
    await fixture.screenshot(page, 'profile-wrong-current-password')

    await page.locator('[data-test="current-password"] input').fill('password-123')
    await page.locator('[data-test="confirm-password"] input').press('Enter')
    await page.locator('.n-message', { hasText: me.password.changed }).waitFor()
    expect(await page.locator('[data-test="current-password"] input').inputValue()).toBe('')
    await signOut(page)

    await page.locator('[data-test="username"] input').fill('alice')
    await page.locator('[data-test="password"] input').fill('password-123')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[role="alert"]', { hasText: login.en.wrongPassword }).waitFor()
    await page.locator('[data-test="password"] input').fill('a-brand-new-secret')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="user-menu"]', { hasText: 'alice' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
  })

  test('enrolling in two-step sign-in from the shown secret; the next sign-in asks for a code', async () => {
    await fixture.gateway.createUser({ username: 'bob', quota: 0 })
    const page = await profilePage('bob', 'password-123')
    const card = page.locator('[data-test="two-factor-card"]')
    expect(await card.locator('[data-test="two-factor-state"]').innerText()).toBe(me.twoFactor.off)
    await card.locator('[data-test="start-two-factor"]').click()
    await card.locator('canvas, svg').first().waitFor()
    const secret = (await card.locator('[data-test="totp-secret"]').innerText()).replace(/\s+/g, '')
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    await fixture.screenshot(page, 'profile-two-factor-enrol')

    await card.locator('[data-test="enrol-code"] input').fill('000000')
    await card.locator('[data-test="confirm-two-factor"]').click()
    await formItem(page, '[data-test="enrol-code"]').locator('.n-form-item-feedback', { hasText: me.twoFactor.wrongCode }).waitFor()
    await card.locator('[data-test="enrol-code"] input').fill(authenticatorCode(secret))
    await card.locator('[data-test="enrol-code"] input').press('Enter')
    const codes = card.locator('[data-test="recovery-codes"] li')
    await codes.first().waitFor()
    expect(await codes.count()).toBe(10)
    const download = page.waitForEvent('download')
    await card.locator('[data-test="download-codes"]').click()
    expect((await download).suggestedFilename()).toBe('recovery-codes-bob.txt')
    await fixture.screenshot(page, 'profile-recovery-codes')
    await card.locator('[data-test="codes-saved"]').click()
    await card.locator('[data-test="two-factor-state"]', { hasText: me.twoFactor.on }).waitFor()
    await card.locator('[data-test="turn-off-two-factor"]').waitFor()
    await signOut(page)

    await page.locator('[data-test="username"] input').fill('bob')
    await page.locator('[data-test="password"] input').fill('password-123')
    await page.locator('[data-test="submit"]').click()
    await page.getByText(login.en.twoFactorHint).waitFor()
    // The enrolment used this time step's code; a code works once, so the app's next one signs in.
    await page.locator('[data-test="code"] input').fill(authenticatorCode(secret, 1))
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="user-menu"]', { hasText: 'bob' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
  })

  test('a personal access token is shown once and works with the admin API; a read-only one cannot write', async () => {
    const page = await profilePage('root', ROOT_PASSWORD)
    const card = page.locator('[data-test="access-tokens-card"]')
    await card.locator('[data-test="token-name"] input').fill('deploy script')
    await card.locator('[data-test="create-token"]').click()
    const shown = page.locator('[data-test="new-token"] input')
    await shown.waitFor()
    const token = await shown.inputValue()
    expect(token).toMatch(/^hat_/)
    await fixture.screenshot(page, 'profile-token-created')
    // Copying it says so, and the clipboard holds the token.
    await fixture.browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: fixture.gateway.url })
    await page.locator('[data-test="copy-new-token"]').click()
    await page.locator('.n-message', { hasText: ops.en.copied }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token)
    await page.locator('[data-test="token-done"]').click()
    const row = card.locator('tr[data-token-name="deploy script"]')
    await row.waitFor()
    expect(await row.locator('[data-test="token-last-used"]').innerText()).toBe(me.tokens.neverUsed)

    const call = (method: string, path: string, bearer: string, body?: unknown) =>
      fetch(`${fixture.gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      })
    const who = await call('GET', '/api/users/me', token)
    expect(who.status).toBe(200)
    expect(((await who.json()) as { username: string }).username).toBe('root')
    expect((await call('PATCH', '/api/options', token, { retryTimes: 3 })).status).toBe(200)

    await card.locator('[data-test="token-name"] input').fill('dashboards')
    await card.locator('[data-test="scope-read"]').click()
    await card.locator('[data-test="token-name"] input').press('Enter')
    const readOnly = await page.locator('[data-test="new-token"] input').inputValue()
    await page.locator('[data-test="token-done"]').click()
    expect((await call('GET', '/api/channels', readOnly)).status).toBe(200)
    expect((await call('PATCH', '/api/options', readOnly, { retryTimes: 1 })).status).toBe(403)

    await page.reload()
    await row.locator('[data-test="token-last-used"]').waitFor()
    expect(await row.locator('[data-test="token-last-used"]').innerText()).not.toBe(me.tokens.neverUsed)
    await row.locator('[data-test="revoke-token"]').click()
    await page.locator('.n-dialog .n-button', { hasText: me.tokens.revoke }).click()
    await row.waitFor({ state: 'detached' })
    expect((await call('GET', '/api/users/me', token)).status).toBe(401)
  })

  test('GitHub is linked from the profile; signing in with it asks only for the two-step code', async () => {
    await fixture.gateway.admin('PATCH', '/api/auth/settings', { github: github.settings() })
    github.user = { login: 'carol-on-github', id: 90210, name: 'Carol', email: 'carol@example.com', type: 'User' }
    await fixture.gateway.createUser({ username: 'carol', quota: 0 })
    const post = async (path: string, body: unknown, bearer?: string) =>
      (
        await fetch(`${fixture.gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          body: JSON.stringify(body),
        })
      ).json() as Promise<Record<string, unknown>>
    const bearer = String((await post('/api/auth/login', { username: 'carol', password: 'password-123' })).accessToken)
    const { secret } = (await post('/api/users/me/two-factor/setup', {}, bearer)) as { secret: string }
    const { recoveryCodes } = (await post('/api/users/me/two-factor/enable', { code: authenticatorCode(secret) }, bearer)) as { recoveryCodes: string[] }

    const page = await freshPage()
    await page.goto(`${fixture.gateway.url}/login?redirect=/profile`)
    await page.locator('[data-test="username"] input').fill('carol')
    await page.locator('[data-test="password"] input').fill('password-123')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="code"] input').fill(recoveryCodes[0] ?? '')
    await page.locator('[data-test="submit"]').click()
    const linked = page.locator('[data-test="linked-accounts-card"]')
    // The first attempt is refused at GitHub: the profile says so, in words.
    github.refuseWith = 'access_denied'
    await linked.locator('[data-link-provider="github"]').click()
    await page.waitForURL((url) => url.pathname === '/profile' && url.searchParams.get('linkError') === 'oauth_denied')
    await linked.locator('[role="alert"]', { hasText: errors.en.code.oauth_denied }).waitFor()
    github.refuseWith = undefined
    await linked.locator('[data-link-provider="github"]').click()
    await page.waitForURL((url) => url.pathname === '/profile' && !url.searchParams.has('linkError'))
    await linked.locator('[data-linked="github"]', { hasText: 'carol-on-github' }).waitFor()
    await fixture.screenshot(page, 'profile-github-linked')
    await signOut(page)

    await page.locator('[data-provider="github"]').click()
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('twoFactor') === '1')
    await page.locator('[data-test="pending-hint"]').waitFor()
    expect(await page.locator('[data-test="username"]').count()).toBe(0)
    expect(await page.locator('[data-test="password"]').count()).toBe(0)
    await fixture.screenshot(page, 'login-provider-two-factor')
    await page.locator('[data-test="code"] input').fill(authenticatorCode(secret, 1))
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="user-menu"]', { hasText: 'carol' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
  })

  test('on a 375 px phone, settings and the profile fit the screen', async () => {
    const page = await freshPage({ width: 375, height: 740 })
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    for (const [path, ready, name] of [
      ['/settings?tab=rate-limits', '[data-test="window-seconds"]', 'phone-settings-rate-limits'],
      ['/settings?tab=pricing', '[data-test="pricing-table"]', 'phone-settings-pricing'],
      ['/settings?tab=sign-in', '[data-provider="github"]', 'phone-settings-sign-in'],
      ['/profile', '[data-test="sessions-card"]', 'phone-profile'],
    ] as const) {
      await page.goto(`${fixture.gateway.url}${path}`)
      await page.locator(ready).first().waitFor()
      await fixture.screenshot(page, name)
      expect({ path, overflow: await overflow() }).toEqual({ path, overflow: 0 })
    }
  })
})
