// Measures what a first visit to the sign-in page downloads: starts a gateway serving the built
// dashboard, loads /login in headless Chromium, and sums the encoded (brotli/gzip) bytes of every
// response. Budget: 350 KB.
//   npm run measure:dashboard            # builds the dashboard first when stale
import { chromium, type BrowserContext } from 'playwright-core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureDashboardBuilt } from './build-dashboard.ts'
import { CHROMIUM_PATH, requireChromium } from '../tests/browser/harness.ts'
import { startGateway } from '../tests/support/gateway.ts'

/** The most a first visit to /login may transfer, in bytes. */
export const LOGIN_BUDGET_BYTES = 350 * 1024

interface Transfer {
  url: string
  encoding: string
  bytes: number
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`
}

async function measure(): Promise<void> {
  requireChromium()
  await ensureDashboardBuilt()
  const gateway = await startGateway()
  const userDataDir = mkdtempSync(join(tmpdir(), 'hanggent-measure-'))
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
  try {
    let failed = false
    for (const acceptEncoding of ['br, gzip', 'gzip']) failed = (await measureOnce(browser, gateway.url, acceptEncoding)) || failed
    if (failed) process.exitCode = 1
  } finally {
    await browser.close()
    rmSync(userDataDir, { recursive: true, force: true })
    await gateway.stop()
  }
}

/** One cold load of /login with the given Accept-Encoding; prints the figures, returns true when over budget. */
async function measureOnce(browser: BrowserContext, baseUrl: string, acceptEncoding: string): Promise<boolean> {
  const page = await browser.newPage()
  try {
    // A cold visit: nothing from the previous measurement's cache.
    await (await browser.newCDPSession(page)).send('Network.clearBrowserCache')
    await page.setExtraHTTPHeaders({ 'accept-encoding': acceptEncoding })
    const transfers: Promise<Transfer>[] = []
    page.on('requestfinished', (request) => {
      if (request.url().startsWith('data:')) return
      transfers.push(
        (async () => {
          const response = await request.response()
          const sizes = await request.sizes()
          return {
            url: request.url().replace(baseUrl, ''),
            encoding: response?.headers()['content-encoding'] ?? 'identity',
            bytes: sizes.responseBodySize + sizes.responseHeadersSize,
          }
        })(),
      )
    })
    await page.goto(`${baseUrl}/login`, { waitUntil: 'networkidle' })
    await page.locator('[data-test="submit"]').waitFor()
    const all = (await Promise.all(transfers)).sort((a, b) => b.bytes - a.bytes)
    const total = all.reduce((sum, transfer) => sum + transfer.bytes, 0)
    console.log(
      `/login with Accept-Encoding "${acceptEncoding}": ${kilobytes(total)} in ${all.length} responses (bodies as sent, plus headers); budget ${kilobytes(LOGIN_BUDGET_BYTES)}`,
    )
    for (const transfer of all.slice(0, 8)) console.log(`  ${kilobytes(transfer.bytes).padStart(9)}  ${transfer.encoding.padEnd(8)}  ${transfer.url}`)
    if (total <= LOGIN_BUDGET_BYTES) return false
    console.error(`  over budget by ${kilobytes(total - LOGIN_BUDGET_BYTES)}`)
    return true
  } finally {
    await page.close()
  }
}

await measure()
