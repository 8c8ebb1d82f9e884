import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import type { Locale } from '../../admin/src/i18n/locales.ts'
import { testConfig } from '../support/context.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// Issue 20 item 6: a channel type from an external plugin (loaded only through PLUGINS) translates its
// settings labels with `x-i18n`; the channel form shows them in the reader's language.

const ROOT_PASSWORD = 'root-password-123'
/** Where the dashboard keeps the chosen language (admin/src/stores/preferences.ts). */
const LOCALE_KEY = 'hanggent.locale'

describe("plugin settings labels in the reader's language", () => {
  let fixture: BrowserFixture
  let page: Page

  beforeAll(async () => {
    fixture = await startBrowserFixture({ plugins: testConfig({}, { PLUGINS: './examples/plugins/cohere-example/index.ts' }).plugins })
    await fixture.gateway.createChannel({
      name: 'cohere account',
      type: 'cohere-example',
      key: 'co-secret',
      baseUrl: 'http://127.0.0.1:9',
      models: ['command-a-03-2025'],
    })
    page = await fixture.newPage({ width: 1440, height: 1000 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  async function settingLabel(locale: Locale): Promise<string> {
    await page.evaluate(([key, value]) => window.localStorage.setItem(key, value), [LOCALE_KEY, locale] as const)
    await page.goto(`${fixture.gateway.url}/channels`)
    await page.waitForFunction((lang) => document.documentElement.lang === lang, locale)
    await page.locator('[data-test="channel-row"]', { hasText: 'cohere account' }).locator('[data-test="edit-channel"]').click()
    const label = page.locator('[data-test="channel-drawer"] label[for="channel-setting-dropThinking"]')
    const text = (await label.innerText()).trim()
    await page.keyboard.press('Escape')
    return text
  }

  test('the same setting reads in English, French, Japanese and Chinese', async () => {
    expect(await settingLabel('en')).toBe('Drop thinking')
    expect(await settingLabel('fr')).toBe('Masquer la réflexion')
    expect(await settingLabel('ja')).toBe('思考を省く')
    expect(await settingLabel('zh-CN')).toBe('省略思考')
    await fixture.screenshot(page, 'plugin-settings-labels-zh-CN')
  })
})
