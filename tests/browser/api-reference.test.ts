import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { CHROMIUM_PATH, SCREENSHOT_DIR, requireChromium } from './harness.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// The API reference at /swagger as a person without internet sees it: Chromium with every request
// that leaves the machine refused. The UI must come from the gateway itself and show the operations
// of both documents (admin API and relay).

/** Chromium's flags as the browser suite uses them: no background traffic of its own. */
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

/** True for loopback addresses (127.0.0.0/8, localhost, ::1) and the browser's own schemes. */
function isLocal(url: string): boolean {
  const parsed = new URL(url)
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') return true
  return parsed.hostname === 'localhost' || parsed.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname)
}

describe('API reference offline', () => {
  let gateway: TestGateway
  let context: BrowserContext
  let profile: string

  beforeAll(async () => {
    requireChromium()
    gateway = await startGateway()
    profile = mkdtempSync(join(tmpdir(), 'hanggent-chromium-'))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    })
  }, 60_000)
  afterAll(async () => {
    await context?.close()
    await gateway?.stop()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  test('/swagger renders the admin and relay operations with the network blocked', async () => {
    const blocked: string[] = []
    await context.route('**/*', async (route) => {
      const url = route.request().url()
      if (isLocal(url)) return route.continue()
      blocked.push(url)
      return route.abort('internetdisconnected')
    })
    const page = await context.newPage()
    try {
      await page.goto(`${gateway.url}/swagger`)
      // The admin document first: its sign-in operation, as a row a person reads.
      const login = page.locator('.opblock-summary', { hasText: '/api/auth/login' }).first()
      await login.waitFor({ state: 'visible', timeout: 20_000 })
      expect(await login.isVisible()).toBe(true)
      expect(await page.getByText('Hanggent API — admin').first().isVisible()).toBe(true)

      // The relay document, picked in the selector at the top.
      await page.locator('.topbar select').selectOption({ label: 'Relay API (/v1, /v1beta)' })
      const chat = page.locator('.opblock-summary', { hasText: '/v1/chat/completions' }).first()
      await chat.waitFor({ state: 'visible', timeout: 20_000 })
      expect(await chat.innerText()).toContain('Chat (openai.chat)')
      for (const path of ['/v1/messages', '/v1beta/models/{model}', '/v1/models']) {
        expect(await page.locator('.opblock-summary', { hasText: path }).first().isVisible()).toBe(true)
      }
      mkdirSync(SCREENSHOT_DIR, { recursive: true })
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-reference-relay-offline.png'), fullPage: false })
      // Nothing was even attempted outside the machine.
      expect(blocked).toEqual([])
    } finally {
      await page.close()
    }
  }, 60_000)
})
