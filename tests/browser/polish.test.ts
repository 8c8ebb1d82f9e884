import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { LOCALES, type Locale } from '../../admin/src/i18n/locales.ts'
import logEvents from '../../admin/src/i18n/messages/log-events.ts'
import tokens from '../../admin/src/i18n/messages/tokens.ts'
import { formatUsd, unitsToUsd } from '../../admin/src/api/units.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// What a newcomer saw in issue 18, checked as a person would notice it, in every language at 1920,
// 1280 and 375 px: the page never scrolls sideways, a table header is one line and wholly inside its
// column, a tag stays inside its cell, wide screens give tables their width, no stock "Please Input"
// placeholder; then the logs (channel names, server texts in the reader's language), money to the
// cent, a long site name, the sign-in page's link and the favicon. One gateway, one browser.

const ROOT_PASSWORD = 'root-password-123'
const WIDTHS = [1920, 1280, 375] as const
/** naive-ui's stock input placeholders, which the dashboard must not show (i18n/naive-locales.ts). */
const STOCK_PLACEHOLDERS = ['Please Input', '请输入', '請輸入', 'Saisir', '入力してください']
const LONG_SITE_NAME = 'Northwind Analytics Model Gateway'
/** Where the dashboard keeps the chosen language (admin/src/stores/preferences.ts STORAGE_KEYS.locale). */
const LOCALE_KEY = 'hanggent.locale'

/** Each page visited, and what shows that its data is drawn. */
const PAGES = [
  { path: '/', ready: '[data-test="card-requests"]' },
  { path: '/logs', ready: '[data-test="log-model"]' },
  { path: '/channels', ready: '[data-test="channel-row"]' },
  { path: '/tokens', ready: '[data-test="remaining"]' },
  { path: '/users', ready: '[data-test="balance"]' },
  { path: '/redemptions', ready: '[data-test="redemption-row"]' },
  { path: '/pricing', ready: '[data-test="model-name"]' },
  { path: '/settings', ready: '[data-test="new-user-quota"] input' },
  { path: '/plugins', ready: '[data-test="plugin-card"]' },
  { path: '/profile', ready: '[data-test="balance"]' },
] as const
/** Tables that fit a 1920 px screen without scrolling sideways. */
const FITS_AT_1920 = new Set(['/channels', '/logs', '/tokens', '/users', '/redemptions'])

/** What a person would see wrong on the page as it is drawn now. */
async function layoutProblems(page: Page, options: { tablesFit: boolean; stock: string[] }): Promise<string[]> {
  return page.evaluate(({ tablesFit, stock }) => {
    const problems: string[] = []
    const root = document.documentElement
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways (${root.scrollWidth} > ${root.clientWidth} px)`)
    for (const title of Array.from(document.querySelectorAll<HTMLElement>('.n-data-table-th__title'))) {
      const text = title.textContent?.trim() ?? ''
      const cell = title.closest('th')
      if (text === '' || !cell) continue
      // The text's own line boxes (not the boxes of the elements around it).
      const rects: DOMRect[] = []
      const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange()
        range.selectNodeContents(node)
        rects.push(...Array.from(range.getClientRects()).filter((rect) => rect.width > 0))
      }
      const tops = rects.map((rect) => rect.top).sort((a, b) => a - b)
      const lines = tops.filter((top, index) => index === 0 || top - tops[index - 1]! > 4).length
      if (lines > 1) problems.push(`header "${text}" breaks onto ${lines} lines`)
      const right = Math.max(...rects.map((rect) => rect.right))
      const edge = cell.getBoundingClientRect().right
      if (right > edge + 1) problems.push(`header "${text}" runs ${Math.round(right - edge)} px past its column`)
    }
    // Money in a table cell is one line ("0,000016 $" must not break before its currency sign).
    for (const amount of Array.from(
      document.querySelectorAll<HTMLElement>('td [data-test="log-cost"], td [data-test="balance"], td [data-test="remaining"]'),
    )) {
      const tops = Array.from(amount.getClientRects()).map((rect) => Math.round(rect.top))
      const height = amount.getBoundingClientRect().height
      const lineHeight = Number.parseFloat(getComputedStyle(amount).lineHeight) || 20
      if (new Set(tops).size > 1 || height > lineHeight * 1.5) problems.push(`amount "${amount.textContent?.trim()}" breaks onto two lines`)
    }
    for (const tag of Array.from(document.querySelectorAll<HTMLElement>('td .n-tag'))) {
      const cell = tag.closest('td')!.getBoundingClientRect()
      const box = tag.getBoundingClientRect()
      if (box.right > cell.right + 1 || box.left < cell.left - 1) problems.push(`tag "${tag.textContent?.trim()}" spills out of its cell`)
    }
    if (tablesFit) {
      for (const table of Array.from(document.querySelectorAll<HTMLElement>('.n-data-table'))) {
        const scroller =
          table.querySelector<HTMLElement>('.n-data-table-base-table-body .n-scrollbar-container') ??
          table.querySelector<HTMLElement>('.n-data-table-base-table-body')
        if (scroller && scroller.scrollWidth > scroller.clientWidth + 1)
          problems.push(`a table scrolls sideways (${scroller.scrollWidth} > ${scroller.clientWidth} px)`)
        const width = table.getBoundingClientRect().width
        if (width < root.clientWidth - 400) problems.push(`a table stops at ${Math.round(width)} px on a ${root.clientWidth} px screen`)
      }
    }
    for (const field of Array.from(document.querySelectorAll<HTMLInputElement>('input[placeholder], textarea[placeholder]'))) {
      if (stock.includes(field.placeholder)) problems.push(`a field shows the stock placeholder "${field.placeholder}"`)
    }
    return problems
  }, options)
}

describe('dashboard polish in every language and width', () => {
  let fixture: BrowserFixture
  let page: Page
  let channelId: number

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    channelId = await fixture.gateway.createChannel({
      name: 'fake openai',
      type: 'openai',
      key: 'sk-upstream',
      baseUrl: fixture.upstream.url,
      models: ['gpt-4o-mini', 'text-embedding-3-small'],
    })
    const { key } = await fixture.gateway.createToken({ name: 'one model', quota: 50_000_000, models: ['gpt-4o-mini'] })
    const response = await fetch(`${fixture.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] }),
    })
    expect(response.status).toBe(200)
    await response.text()
    await fixture.gateway.admin('POST', '/api/redemptions', { name: 'welcome', quota: 2_500_000, count: 1 })
    await fixture.gateway.logs()
    page = await fixture.newPage({ width: 1920, height: 1000 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  /**
   * Shows `path` in `locale` and waits for its data. `inApp` follows the path inside the loaded
   * dashboard (as its menu does, through the router) instead of loading the page anew; the
   * language must then already be the one shown.
   */
  async function showIn(locale: Locale, path: string, ready: string, tab: Page = page, inApp = false): Promise<void> {
    if (inApp) {
      await tab.evaluate((to) => {
        window.history.pushState({}, '', to)
        window.dispatchEvent(new PopStateEvent('popstate', { state: window.history.state }))
      }, path)
      await tab.waitForFunction((to) => window.location.pathname === to, path)
    } else {
      await tab.evaluate(([key, value]) => window.localStorage.setItem(key, value), [LOCALE_KEY, locale] as const)
      await tab.goto(`${fixture.gateway.url}${path}`)
    }
    await tab
      .locator(ready)
      .first()
      .waitFor()
      .catch(async (error: unknown) => {
        await fixture.screenshot(tab, `polish-not-ready-${locale}${path.replace(/\//g, '-')}`)
        throw new Error(`${path} in ${locale} never showed ${ready}: ${String(error)}`)
      })
    await tab.waitForFunction((lang) => document.documentElement.lang === lang, locale)
  }

  test('no page scrolls sideways, no header breaks or is cut, no tag spills, wide tables fit 1920 px', async () => {
    // One signed-in tab per width, loading the same pages side by side (the session cookie and the
    // stored language are the browser's, shared by the tabs; every language is set before its pages load).
    const tabs = [page]
    for (const _width of WIDTHS.slice(1)) {
      const tab = await fixture.browser.newPage()
      tab.setDefaultTimeout(15_000)
      await tab.goto(`${fixture.gateway.url}/health`)
      tabs.push(tab)
    }
    const problems: string[] = []
    try {
      for (const locale of LOCALES) {
        const found = await Promise.all(
          WIDTHS.map(async (width, index) => {
            const tab = tabs[index]!
            await tab.setViewportSize({ width, height: 1000 })
            const seen: string[] = []
            // Each language is loaded once; its pages are then opened inside the dashboard.
            for (const [visited, { path, ready }] of PAGES.entries()) {
              await showIn(locale, path, ready, tab, visited > 0)
              const onPage = await layoutProblems(tab, { tablesFit: width === 1920 && FITS_AT_1920.has(path), stock: STOCK_PLACEHOLDERS })
              seen.push(...onPage.map((problem) => `${path} ${locale} ${width}px: ${problem}`))
            }
            return seen
          }),
        )
        problems.push(...found.flat())
        // Each language's last page, the profile, kept as a picture at the two wide widths. Taken one
        // tab at a time once all three are still: a capture while the other tabs draw waits seconds.
        for (const [index, width] of WIDTHS.entries()) {
          if (width !== 375) await fixture.screenshot(tabs[index]!, `polish-profile-${locale}-${width}`)
        }
      }
    } finally {
      for (const tab of tabs.slice(1)) await tab.close()
    }
    expect(problems).toEqual([])
  }, 240_000)

  test("the logs show the message column on screen, channels by name, and server texts in the reader's language", async () => {
    await page.setViewportSize({ width: 1920, height: 1000 })
    await showIn('fr', '/logs', '[data-test="log-model"]')
    const channel = page.locator('[data-test="log-channel"]', { hasText: 'fake openai' })
    await channel.first().waitFor()
    expect(await channel.first().innerText()).toBe(`fake openai #${channelId}`)
    // The message column is inside the window without scrolling.
    const header = await page.locator('th', { hasText: 'Message' }).first().boundingBox()
    expect(header).not.toBeNull()
    expect((header?.x ?? 0) + (header?.width ?? 0)).toBeLessThanOrEqual(1920)
    // The sign-in the test made is worded in French, as the server's own text would not be.
    const expected = `${logEvents.fr.signedInWith.replace('{method}', logEvents.fr.password)} ${logEvents.fr.sessionCookie}`
    await page.locator('[data-test="log-content"]', { hasText: expected }).first().waitFor()
    expect(await page.locator('[data-test="log-content"]', { hasText: 'signed in with' }).count()).toBe(0)
    await fixture.screenshot(page, 'polish-logs-fr-1920')
  })

  test('balances read to the cent; a key with one model says "1 model"', async () => {
    await page.setViewportSize({ width: 1280, height: 900 })
    const root = await fixture.gateway.admin<{ quota: number }>('GET', '/api/users/me')
    await showIn('en', '/users', '[data-test="balance"]')
    const balances = await page.locator('[data-test="balance"]').allInnerTexts()
    expect(balances).toContain(formatUsd(unitsToUsd(root.quota), 'balance'))
    for (const balance of balances) expect(balance).toMatch(/^\$[\d,]+\.\d{2}$|^\$0\.0*\d{1,2}$/)
    await showIn('en', '/tokens', '[data-test="remaining"]')
    await page.getByText(tokens.en.modelCount.split(' | ')[0]!.replace('{count}', '1'), { exact: true }).waitFor()
  })

  test('a long site name is shown whole, the sign-in link wears the theme, the favicon is served', async () => {
    await fixture.gateway.admin('PATCH', '/api/options', { general: { siteName: LONG_SITE_NAME } })
    await page.setViewportSize({ width: 1280, height: 900 })
    await showIn('en', '/', '[data-test="card-requests"]')
    const brand = page.locator('[data-test="brand"]')
    await brand.getByText(LONG_SITE_NAME).waitFor()
    expect(await brand.evaluate((element) => element.scrollHeight <= element.clientHeight + 1 && element.scrollWidth <= element.clientWidth + 1)).toBe(true)
    await page.setViewportSize({ width: 375, height: 800 })
    const phoneName = page.locator('[data-test="site-name"]')
    await phoneName.waitFor()
    expect(await phoneName.evaluate((element) => element.scrollHeight <= element.clientHeight + 1 && element.scrollWidth <= element.clientWidth + 1)).toBe(true)
    await fixture.screenshot(page, 'polish-site-name-phone')

    const signedOut = await fixture.newPage({ width: 1280, height: 800 })
    await signedOut.goto(`${fixture.gateway.url}/login`)
    const link = signedOut.locator('[data-test="auth-footer"] a')
    await link.waitFor()
    const style = await link.evaluate((element) => ({ color: getComputedStyle(element).color, line: getComputedStyle(element).textDecorationLine }))
    // Not the browser's default link blue or visited purple, and not underlined until hovered.
    expect(['rgb(0, 0, 238)', 'rgb(85, 26, 139)']).not.toContain(style.color)
    expect(style.line).toBe('none')
    await signedOut.close()

    const icon = await fetch(`${fixture.gateway.url}/favicon.ico`)
    expect(icon.status).toBe(200)
    expect(icon.headers.get('content-type')).toBe('image/x-icon')
    expect([...new Uint8Array(await icon.arrayBuffer()).slice(0, 4)]).toEqual([0, 0, 1, 0])
    await fixture.gateway.admin('PATCH', '/api/options', { general: { siteName: 'Hanggent API' } })
  })
})
