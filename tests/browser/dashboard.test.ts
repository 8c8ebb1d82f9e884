import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { totpCode } from '../../core/security/totp.ts'
import { LOCALES } from '../../admin/src/i18n/locales.ts'
import nav from '../../admin/src/i18n/messages/nav.ts'
import login from '../../admin/src/i18n/messages/login.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The dashboard in a real browser (headless Chromium) against a real gateway: sign-in, languages,
// themes and the phone layout, as a person would use them.

const ROOT_PASSWORD = 'root-password-123'

describe('dashboard in the browser', () => {
  let fixture: BrowserFixture

  beforeAll(async () => {
    fixture = await startBrowserFixture()
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  async function freshPage(options?: { width?: number; height?: number }): Promise<Page> {
    const page = await fixture.newPage(options)
    page.setDefaultTimeout(10_000)
    return page
  }

  // First-run setup is walked through in journey.test.ts, on a gateway of its own (it renames root).

  test('signing in with a password opens the page that was asked for', async () => {
    const page = await freshPage()
    await page.goto(`${fixture.gateway.url}/channels`)
    await page.waitForURL((url) => url.pathname === '/login')
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/channels')
    await page.locator('[data-test="username"] input').fill('root')
    await page.locator('[data-test="password"] input').fill(ROOT_PASSWORD)
    await page.locator('[data-test="submit"]').click()
    await page.locator('h1', { hasText: nav.en.channels }).waitFor()
    await fixture.screenshot(page, 'signed-in-channels')
    expect(new URL(page.url()).pathname).toBe('/channels')
    expect(await page.locator('[data-test="user-menu"]').innerText()).toContain('root')
    const cookies = await fixture.browser.cookies(fixture.gateway.url)
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['hanggent_csrf', 'hanggent_session'])
  })

  test('a wrong password is explained in words, and nobody is signed in', async () => {
    const page = await freshPage()
    await page.goto(`${fixture.gateway.url}/login`)
    await page.locator('[data-test="username"] input').fill('root')
    await page.locator('[data-test="password"] input').fill('not-the-password')
    await page.locator('[data-test="submit"]').click()
    const alert = page.locator('[role="alert"]', { hasText: login.en.wrongPassword })
    await alert.waitFor()
    await fixture.screenshot(page, 'wrong-password')
    expect(await alert.getAttribute('data-error-code')).toBe('unauthorized')
    expect(new URL(page.url()).pathname).toBe('/login')
    expect((await fixture.browser.cookies(fixture.gateway.url)).map((cookie) => cookie.name)).not.toContain('hanggent_session')
  })

  test('an account with two-step sign-in is asked for its code; a wrong code is explained, a recovery code works', async () => {
    await fixture.gateway.createUser({ username: 'careful-user', quota: 0 })
    const api = (path: string, token: string | undefined, body: unknown) =>
      fetch(`${fixture.gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<Record<string, unknown>>)
    const token = String((await api('/api/auth/login', undefined, { username: 'careful-user', password: 'password-123' })).accessToken)
    const { secret } = await api('/api/users/me/two-factor/setup', token, {})
    const { recoveryCodes } = await api('/api/users/me/two-factor/enable', token, { code: totpCode(String(secret), new Date()) })

    const page = await freshPage()
    await page.goto(`${fixture.gateway.url}/login`)
    await page.locator('[data-test="username"] input').fill('careful-user')
    await page.locator('[data-test="password"] input').fill('password-123')
    await page.locator('[data-test="submit"]').click()
    await page.getByText(login.en.twoFactorHint).waitFor()
    await page.locator('[data-test="code"] input').fill('not-a-code')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[role="alert"]', { hasText: login.en.wrongCode }).waitFor()
    await fixture.screenshot(page, 'two-factor-wrong-code')
    await page.locator('[data-test="code"] input').fill((recoveryCodes as string[])[0] ?? '')
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-test="user-menu"]', { hasText: 'careful-user' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
  })

  test('each of the five languages can be chosen, sets <html lang> and is remembered', async () => {
    const page = await freshPage()
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    const seen: Array<[string, string, string]> = []
    for (const locale of LOCALES) {
      await page.locator('[data-test="language-switch"]').click()
      await page.locator(`[data-locale="${locale}"]`).click()
      await page.locator('h1', { hasText: nav[locale].overview }).waitFor()
      await page.locator('[data-menu="channels"]', { hasText: nav[locale].channels }).waitFor()
      seen.push([locale, await page.evaluate(() => document.documentElement.lang), await page.locator('h1').innerText()])
      await fixture.screenshot(page, `language-${locale}`)
    }
    expect(seen).toEqual(LOCALES.map((locale) => [locale, locale, nav[locale].overview]))
    await page.reload()
    await page.locator('h1', { hasText: nav.ja.overview }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja')
  })

  test('the dark theme darkens the page, and the choice survives a reload', async () => {
    const page = await freshPage()
    await page.emulateMedia({ colorScheme: 'light' })
    await page.goto(`${fixture.gateway.url}/login`)
    await page.locator('[data-test="submit"]').waitFor()
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    const light = await background()
    await page.locator('[data-test="theme-switch"]').click()
    await page.locator('[data-theme-choice="dark"]').click()
    await page.waitForFunction((before) => getComputedStyle(document.body).backgroundColor !== before, light)
    // The theme fades in (a CSS transition on the body); read the colour once it has settled.
    await page.waitForFunction(() => document.body.getAnimations().length === 0)
    const dark = await background()
    await fixture.screenshot(page, 'dark-login')
    expect(luminance(light)).toBeGreaterThan(0.8)
    expect(luminance(dark)).toBeLessThan(0.2)
    await page.reload()
    await page.locator('[data-test="submit"]').waitFor()
    await page.waitForFunction(() => document.body.getAnimations().length === 0)
    expect(await background()).toBe(dark)
  })

  test('on a 375 px phone the menu is a drawer and nothing scrolls sideways', async () => {
    const page = await freshPage({ width: 375, height: 740 })
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    expect(await page.locator('[data-test="sider"]').count()).toBe(0)
    await page.locator('[data-test="open-menu"]').click()
    const entry = page.locator('.n-drawer [data-menu="channels"]')
    await entry.click()
    await page.locator('h1', { hasText: nav.en.channels }).waitFor()
    await page.locator('.n-drawer').waitFor({ state: 'detached' })
    await fixture.screenshot(page, 'phone-channels')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    expect(new URL(page.url()).pathname).toBe('/channels')
  })

  test('plain users see no admin pages in the menu and are turned away from them', async () => {
    await fixture.gateway.createUser({ username: 'plain-user', quota: 0 })
    const page = await freshPage()
    await signInThroughPage(page, fixture.gateway.url, 'plain-user', 'password-123')
    await page.locator('[data-menu="tokens"]').waitFor()
    expect(await page.locator('[data-menu="channels"]').count()).toBe(0)
    await page.goto(`${fixture.gateway.url}/users`)
    await page.locator('h1', { hasText: nav.en.overview }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
  })
})

/** Relative luminance (0 black – 1 white) of a CSS `rgb(r, g, b)` colour. */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number)
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
}
