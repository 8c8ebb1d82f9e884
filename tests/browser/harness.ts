import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import type { Config } from '../../core/config.ts'
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// The browser suite's fixtures: the dashboard built once per run, a gateway on PGlite serving it, a
// fake OpenAI upstream, and Debian's Chromium driven by playwright-core. Chromium missing is a
// failure with instructions, never a silent pass.

/** Debian's Chromium (apt-get install chromium). */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Where screenshots go (CI keeps .artifacts/). */
export const SCREENSHOT_DIR = join(ROOT, '.artifacts', 'screenshots')

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/**
 * Transitions and animations cut to 0.01 ms in every page the fixture opens: drawers, dialogs, menus
 * and messages reach their final state at once (Playwright waits for an element to stop moving before
 * it clicks, and for a closing one to leave), and transitionend/animationend still fire for the code
 * that listens for them. What is drawn at the end is the same; only the frames in between go.
 */
const INSTANT_MOTION_CSS =
  '*, *::before, *::after { transition-duration: 0.01ms !important; transition-delay: 0s !important; animation-duration: 0.01ms !important; animation-delay: 0s !important; animation-iteration-count: 1 !important; }'

/** Runs in each page before its scripts: adds the instant-motion sheet (a constructed sheet needs no <head> yet). */
function instantMotion(css: string): void {
  const sheet = new CSSStyleSheet()
  sheet.replaceSync(css)
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]
}

/** What a browser test works with. */
export interface BrowserFixture {
  gateway: TestGateway
  upstream: FakeOpenAI
  browser: BrowserContext
  /** A fresh tab with no cookies or stored preferences, at the given viewport (default 1280×800). */
  newPage(options?: { width?: number; height?: number; locale?: string }): Promise<Page>
  /** Brings the tab to the front and saves `.artifacts/screenshots/<name>.png`. */
  screenshot(page: Page, name: string): Promise<void>
  stop(): Promise<void>
}

/** Throws a readable error when Chromium is not installed. */
export function requireChromium(path = CHROMIUM_PATH): void {
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is not installed at ${path}: the dashboard's browser tests need it. Install it with \`apt-get install chromium fonts-noto-cjk\` (CI does this in .ci/run).`,
    )
  }
}

/** Builds the dashboard if stale, starts the gateway and a fake upstream, and launches Chromium. */
export async function startBrowserFixture(overrides: Partial<Config> = {}): Promise<BrowserFixture> {
  requireChromium()
  await ensureDashboardBuilt()
  const upstream = await startFakeOpenAI()
  const gateway = await startGateway({}, overrides)
  const userDataDir = mkdtempSync(join(tmpdir(), 'hanggent-chromium-'))
  let browser: BrowserContext
  try {
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    })
  } catch (error) {
    await gateway.stop()
    await upstream.stop()
    rmSync(userDataDir, { recursive: true, force: true })
    throw error
  }
  await browser.addInitScript(instantMotion, INSTANT_MOTION_CSS)
  return {
    gateway,
    upstream,
    browser,
    async newPage(options = {}) {
      await browser.clearCookies()
      const page = await browser.newPage()
      await page.setViewportSize({ width: options.width ?? 1280, height: options.height ?? 800 })
      // A tab starts from nothing: no remembered language or theme from an earlier test.
      await page.goto(`${gateway.url}/health`)
      await page.evaluate(() => window.localStorage.clear())
      return page
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true })
      // Chromium captures a tab behind another one seconds late (2-7 s measured in polish's three tabs);
      // the front tab is captured at once.
      await page.bringToFront()
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`), fullPage: true })
    },
    async stop() {
      await browser.close()
      rmSync(userDataDir, { recursive: true, force: true })
      await gateway.stop()
      await upstream.stop()
    },
  }
}

/** Signs in through the login page with username and password and waits for the app frame. */
export async function signInThroughPage(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.locator('[data-test="username"] input').fill(username)
  await page.locator('[data-test="password"] input').fill(password)
  await page.locator('[data-test="submit"]').click()
  await page.locator('[data-test="user-menu"]').waitFor()
}
