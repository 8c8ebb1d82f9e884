import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { LOCALES, type Locale } from '../../admin/src/i18n/locales.ts'
import { bucketStarts, rangeFor, type RangeChoice } from '../../admin/src/pages/overview/stats-series.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// Issue 18: "the overview's last x-axis label is cut". The usage-over-time chart is drawn on a canvas,
// so the test watches what is drawn: before the dashboard's scripts run, it wraps the canvas's
// fillText and clearRect and keeps, per canvas, the texts of the last frame with the box each one
// covers (the browser's own text metrics under the transform in force). For each range the page offers
// (today's hours and 30 days as bars, 7 days of hours as a line), in every language at 1920, 1280 and
// 375 px, the latest bucket's label must be drawn, every x-axis label must lie inside the canvas, and
// no two labels may overlap. The tabs ask for reduced motion, so the chart draws its final frame at
// once (no animation whose frames a loaded machine could space out past the quiet time); the labels
// drawn are the same either way.

const ROOT_PASSWORD = 'root-password-123'
const WIDTHS = [1920, 1280, 375] as const
/** Where the dashboard keeps the chosen language (admin/src/stores/preferences.ts STORAGE_KEYS.locale). */
const LOCALE_KEY = 'hanggent.locale'
/** The range buttons of the overview and how the chart draws each. */
const RANGES: Array<{ choice: RangeChoice; drawn: 'bars' | 'line' }> = [
  { choice: 'today', drawn: 'bars' },
  { choice: '7d', drawn: 'line' },
  { choice: '30d', drawn: 'bars' },
]
/** A frame counts as final once nothing has been drawn on the canvas for this long. */
const QUIET_MS = 400

/** One text drawn on a canvas: its words, anchor and the box its glyphs cover, in canvas pixels. */
interface DrawnText {
  text: string
  anchorY: number
  left: number
  right: number
  top: number
  bottom: number
}

/** The last frame drawn on the over-time chart's canvas. */
interface Frame {
  texts: DrawnText[]
  width: number
  height: number
}

/**
 * Runs in the page before its scripts: records each canvas's texts since its last full clear, with the
 * box of the glyphs (measureText's actual bounding box, mapped through the current transform).
 */
function recordCanvasTexts(): void {
  type Recorded = HTMLCanvasElement & { drawnTexts?: unknown[]; lastDrawAt?: number }
  const proto = CanvasRenderingContext2D.prototype
  const fillText = proto.fillText
  const clearRect = proto.clearRect
  proto.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
    const canvas = this.canvas as Recorded
    const metrics = this.measureText(text)
    const matrix = this.getTransform()
    const corners = [
      [x - metrics.actualBoundingBoxLeft, y - metrics.actualBoundingBoxAscent],
      [x + metrics.actualBoundingBoxRight, y - metrics.actualBoundingBoxAscent],
      [x - metrics.actualBoundingBoxLeft, y + metrics.actualBoundingBoxDescent],
      [x + metrics.actualBoundingBoxRight, y + metrics.actualBoundingBoxDescent],
    ].map(([px = 0, py = 0]) => matrix.transformPoint(new DOMPoint(px, py)))
    const xs = corners.map((point) => point.x)
    const ys = corners.map((point) => point.y)
    canvas.drawnTexts ??= []
    canvas.drawnTexts.push({
      text: String(text),
      anchorY: matrix.transformPoint(new DOMPoint(x, y)).y,
      left: Math.min(...xs),
      right: Math.max(...xs),
      top: Math.min(...ys),
      bottom: Math.max(...ys),
    })
    canvas.lastDrawAt = performance.now()
    return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth)
  }
  proto.clearRect = function (this: CanvasRenderingContext2D, x: number, y: number, width: number, height: number) {
    const canvas = this.canvas as Recorded
    const matrix = this.getTransform()
    // A clear of the whole canvas starts a new frame.
    if (width * Math.abs(matrix.a) >= canvas.width && height * Math.abs(matrix.d) >= canvas.height) canvas.drawnTexts = []
    canvas.lastDrawAt = performance.now()
    return clearRect.call(this, x, y, width, height)
  }
}

/** Waits until the over-time chart has drawn after `since` and then stayed still; returns that frame. */
async function finalFrame(page: Page, since: number): Promise<Frame> {
  const handle = await page.waitForFunction(
    ({ since, quiet }) => {
      const canvases = Array.from(
        document.querySelectorAll<HTMLCanvasElement & { drawnTexts?: DrawnText[]; lastDrawAt?: number }>('[data-test="chart-over-time"] canvas'),
      )
      const canvas = canvases.find((entry) => (entry.drawnTexts?.length ?? 0) > 0)
      if (!canvas || (canvas.lastDrawAt ?? 0) <= since || performance.now() - (canvas.lastDrawAt ?? 0) < quiet) return false
      return { texts: canvas.drawnTexts ?? [], width: canvas.width, height: canvas.height }
    },
    { since, quiet: QUIET_MS },
    { polling: 100 },
  )
  return (await handle.jsonValue()) as Frame
}

/** The x-axis labels of a frame: the texts anchored lowest on the canvas (below the plot, one row). */
function xAxisLabels(frame: Frame): DrawnText[] {
  const lowest = Math.max(...frame.texts.map((text) => text.anchorY))
  return frame.texts.filter((text) => Math.abs(text.anchorY - lowest) < 1)
}

/** The label the page gives a bucket (OverviewPage.vue bucketLabel), formatted by the browser's Intl. */
async function bucketLabel(page: Page, locale: Locale, choice: RangeChoice, start: number): Promise<string> {
  return page.evaluate(
    ({ locale, choice, start }) => {
      if (choice === '30d') return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(start)
      if (choice === 'today') return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(start)
      return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(start)
    },
    { locale, choice, start },
  )
}

/** The latest bucket's label now, and a moment ago (the page may have computed its range just before an hour turned). */
async function latestLabels(page: Page, locale: Locale, choice: RangeChoice): Promise<string[]> {
  const labels = new Set<string>()
  for (const at of [Date.now(), Date.now() - 120_000]) {
    const starts = bucketStarts(rangeFor(choice, new Date(at)))
    labels.add(await bucketLabel(page, locale, choice, starts[starts.length - 1]!))
  }
  return [...labels]
}

describe("the overview's x-axis labels", () => {
  let fixture: BrowserFixture
  let page: Page

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    await fixture.gateway.createChannel({ name: 'fake openai', type: 'openai', key: 'sk-upstream', baseUrl: fixture.upstream.url, models: ['gpt-4o-mini'] })
    const { key } = await fixture.gateway.createToken({ name: 'axis key', quota: 50_000_000 })
    const response = await fetch(`${fixture.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] }),
    })
    expect(response.status).toBe(200)
    await response.text()
    // Usage rollups are written in batches: flush them so every range has traffic to draw.
    await fixture.gateway.logs()
    page = await fixture.newPage({ width: 1920, height: 1000 })
    page.setDefaultTimeout(15_000)
    await page.addInitScript(recordCanvasTexts)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  test('the latest bucket is labelled and no label is cut, for every range, language and width', async () => {
    const problems: string[] = []
    let checked = 0
    // One signed-in tab per width, drawing the overview side by side (the session cookie and the stored
    // language are the browser's, shared by the tabs; every language is set before its overviews load).
    await page.emulateMedia({ reducedMotion: 'reduce' })
    const tabs = [page]
    for (const _width of WIDTHS.slice(1)) {
      const tab = await fixture.browser.newPage()
      tab.setDefaultTimeout(15_000)
      await tab.addInitScript(recordCanvasTexts)
      await tab.emulateMedia({ reducedMotion: 'reduce' })
      await tab.goto(`${fixture.gateway.url}/health`)
      tabs.push(tab)
    }
    async function checkAt(page: Page, width: number, locale: Locale): Promise<void> {
      await page.setViewportSize({ width, height: 1000 })
      await page.evaluate(([key, value]) => window.localStorage.setItem(key, value), [LOCALE_KEY, locale] as const)
      await page.goto(`${fixture.gateway.url}/`)
      await page.waitForFunction((lang) => document.documentElement.lang === lang, locale)
      await page.locator('[data-test="chart-over-time"] canvas').waitFor()
      for (const [index, { choice, drawn }] of RANGES.entries()) {
        // The page opens on today's range; the others are one click away.
        const since = index === 0 ? 0 : await page.evaluate(() => performance.now())
        if (index > 0) await page.locator(`[data-test="range-${choice}"]`).click()
        const frame = await finalFrame(page, since)
        const labels = xAxisLabels(frame)
        const where = `${choice} (${drawn}) ${locale} ${width}px`
        const latest = await latestLabels(page, locale, choice)
        if (!labels.some((label) => latest.includes(label.text))) {
          problems.push(`${where}: the latest bucket's label (${latest.join(' or ')}) is not drawn; drawn: ${labels.map((label) => label.text).join(' | ')}`)
        }
        for (const label of labels) {
          if (label.left < -0.5) problems.push(`${where}: "${label.text}" is cut ${Math.round(-label.left)} px at the left edge`)
          if (label.right > frame.width + 0.5) problems.push(`${where}: "${label.text}" is cut ${Math.round(label.right - frame.width)} px at the right edge`)
          if (label.bottom > frame.height + 0.5) problems.push(`${where}: "${label.text}" is cut at the bottom`)
        }
        const byLeft = [...labels].sort((a, b) => a.left - b.left)
        for (const [index, label] of byLeft.slice(1).entries()) {
          const before = byLeft[index]!
          if (label.left < before.right - 0.5) problems.push(`${where}: "${before.text}" and "${label.text}" overlap`)
        }
        checked += 1
      }
      if (width === 375) await fixture.screenshot(page, `overview-axis-${locale}-${width}`)
    }
    try {
      for (const locale of LOCALES) await Promise.all(WIDTHS.map((width, index) => checkAt(tabs[index]!, width, locale)))
    } finally {
      for (const tab of tabs.slice(1)) await tab.close()
    }
    expect(checked).toBe(WIDTHS.length * LOCALES.length * RANGES.length)
    expect(problems).toEqual([])
  }, 300_000)
})
