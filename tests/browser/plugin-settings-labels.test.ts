import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import type { Locale } from '../../admin/src/i18n/locales.ts'
import { testConfig } from '../support/context.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// Issue 20 item 6: a channel type from an external plugin (examples/plugins/quillon, loaded only through
// PLUGINS) translates its settings labels with `x-i18n`; the channel form shows them in the reader's language.

const ROOT_PASSWORD = 'root-password-123'
/** Where the dashboard keeps the chosen language (admin/src/stores/preferences.ts). */
const LOCALE_KEY = 'hanggent.locale'

describe("plugin settings labels in the reader's language", () => {
  let fixture: BrowserFixture
  let page: Page

  beforeAll(async () => {
    fixture = await startBrowserFixture({ plugins: testConfig({}, { PLUGINS: './examples/plugins/quillon/index.ts' }).plugins })
    await fixture.gateway.createChannel({
      name: 'quillon account',
      type: 'quillon',
      key: 'quillon-secret',
      baseUrl: 'http://127.0.0.1:9',
      models: ['quillon-chat-large'],
    })
    page = await fixture.newPage({ width: 1440, height: 1000 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
  }, 120_000)
  afterAll(async () => {
    await fixture?.stop()
  })

  async function settingLabel(locale: Locale): Promise<string> {
    await page.evaluate(([key, value]) => window.localStorage.setItem(key, value), [LOCALE_KEY, locale] as const)
    await page.goto(`${fixture.gateway.url}/channels`)
    await page.waitForFunction((lang) => document.documentElement.lang === lang, locale)
    await page.locator('[data-test="channel-row"]', { hasText: 'quillon account' }).locator('[data-test="edit-channel"]').click()
    const label = page.locator('[data-test="channel-drawer"] label[for="channel-setting-project"]')
    const text = (await label.innerText()).trim()
    await page.keyboard.press('Escape')
    return text
  }

  test('the same setting reads in English, French, Japanese and both Chinese scripts', async () => {
    expect(await settingLabel('en')).toBe('Project')
    expect(await settingLabel('fr')).toBe('Projet')
    expect(await settingLabel('ja')).toBe('プロジェクト')
    expect(await settingLabel('zh-CN')).toBe('项目')
    expect(await settingLabel('zh-TW')).toBe('專案')
    await fixture.screenshot(page, 'plugin-settings-labels-zh-CN')
  })
})
