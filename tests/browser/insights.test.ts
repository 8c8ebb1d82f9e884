import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import nav from '../../admin/src/i18n/messages/nav.ts'
import overview from '../../admin/src/i18n/messages/overview.ts'
import logs from '../../admin/src/i18n/messages/logs.ts'
import playground from '../../admin/src/i18n/messages/playground.ts'
import { formatUsd, unitsToUsd } from '../../admin/src/api/units.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The overview, logs, pricing and playground pages in a real browser, against a gateway with a
// channel to the fake OpenAI upstream and a little relay traffic made through the API beforehand.

const ROOT_PASSWORD = 'root-password-123'

/** A charge as the dashboard writes it in English (api/units.ts, `cost` precision). */
function usd(units: number): string {
  return formatUsd(unitsToUsd(units), 'cost')
}

describe('insights pages in the browser', () => {
  let fixture: BrowserFixture
  let relayKey: string

  async function relay(model: string, stream = false): Promise<void> {
    const response = await fetch(`${fixture.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Capital of France?' }] }),
    })
    await response.text()
    if (!response.ok) throw new Error(`relay ${model} → ${response.status}`)
  }

  beforeAll(async () => {
    fixture = await startBrowserFixture()
    await fixture.gateway.createChannel({
      name: 'fake openai',
      type: 'openai',
      key: 'sk-upstream',
      baseUrl: fixture.upstream.url,
      models: ['gpt-4o-mini', 'gpt-4o'],
    })
    relayKey = (await fixture.gateway.createToken({ name: 'insights key', quota: 50_000_000 })).key
    await relay('gpt-4o-mini')
    await relay('gpt-4o-mini', true)
    await relay('gpt-4o')
    // Usage logs and hourly rollups are written in batches: flush them before any page reads them.
    await fixture.gateway.logs()
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  async function signedInPage(options?: { width?: number; height?: number }): Promise<Page> {
    const page = await fixture.newPage(options)
    page.setDefaultTimeout(15_000)
    // Charts draw their final frame at once for a reader who asks for less motion, so a screenshot
    // shows them drawn without waiting out the animation.
    await page.emulateMedia({ reducedMotion: 'reduce' })
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    return page
  }

  test('the overview counts the requests and draws the charts', async () => {
    const page = await signedInPage()
    await page.goto(`${fixture.gateway.url}/`)
    const requests = page.locator('[data-test="card-requests"]')
    await requests.getByText('3', { exact: true }).waitFor()
    expect(await requests.innerText()).toContain(overview.en.cards.requests)
    await page.locator('[data-test="chart-over-time"] canvas').waitFor()
    await page.locator('[data-test="chart-by-model"] canvas').waitFor()
    await page.locator('[data-test="chart-users"] canvas').waitFor()
    await page.locator('[data-test="chart-channels"] canvas').waitFor()
    expect(await page.locator('[data-test="card-cost"]').innerText()).toContain('$')
    // The last minute's calls: the three made in setup.
    await page.locator('[data-test="card-live"]').getByText('3', { exact: true }).waitFor()
    await fixture.screenshot(page, 'overview')

    // Switching the charts to cost and the range to 30 days keeps the same totals.
    await page.locator('[data-test="metric"]').getByText(overview.en.metric.cost).click()
    await page.locator('[data-test="range-30d"]').click()
    await page.locator('[data-test="range-summary"]').waitFor()
    await requests.getByText('3', { exact: true }).waitFor()
    await page.locator('[data-test="chart-over-time"] canvas').waitFor()

    await page.locator('[data-test="theme-switch"]').click()
    await page.locator('[data-theme-choice="dark"]').click()
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    await fixture.screenshot(page, 'overview-dark')

    // In another language the words and the number formats follow.
    await page.locator('[data-test="language-switch"]').click()
    await page.locator('[data-locale="zh-CN"]').click()
    await requests.getByText(overview['zh-CN'].cards.requests).waitFor()
    await page.getByText(overview['zh-CN'].charts.byModel).waitFor()
    await fixture.screenshot(page, 'overview-zh-CN')
  })

  test("a user with no traffic is told how to start, and reads the operator's announcement", async () => {
    await fixture.gateway.admin('PATCH', '/api/options', { general: { announcement: 'Maintenance on Sunday, 02:00 UTC.' } })
    await fixture.gateway.createUser({ username: 'quiet-user', quota: 0 })
    const page = await fixture.newPage()
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'quiet-user', 'password-123')
    await page.getByText(overview.en.empty.title).waitFor()
    await page.getByText(overview.en.empty.userHint).waitFor()
    expect(await page.locator('[data-test="card-requests"]').innerText()).toContain('0')
    expect(await page.locator('[data-test="announcement"]').innerText()).toContain('Maintenance on Sunday, 02:00 UTC.')
    await fixture.screenshot(page, 'overview-no-traffic')
    await fixture.gateway.admin('PATCH', '/api/options', { general: { announcement: '' } })
  })

  test('on a phone the overview stacks and nothing scrolls sideways', async () => {
    const page = await signedInPage({ width: 375, height: 800 })
    await page.locator('[data-test="chart-over-time"] canvas').waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    await fixture.screenshot(page, 'overview-phone')
    expect(overflow).toBeLessThanOrEqual(0)
  })

  test('the logs list the calls; the model filter narrows them; the drawer shows the charged cost', async () => {
    const rows = await fixture.gateway.logs({ type: 'consume' })
    const big = rows.find((row) => row.model === 'gpt-4o')
    expect(big).toBeDefined()

    const page = await signedInPage()
    await page.goto(`${fixture.gateway.url}/logs`)
    const models = page.locator('[data-test="log-table"] [data-test="log-model"]')
    await models.first().waitFor()
    // Sign-ins and admin actions are listed too; they name no model.
    expect((await models.allInnerTexts()).filter((model) => model !== '–').sort()).toEqual(['gpt-4o', 'gpt-4o-mini', 'gpt-4o-mini'])
    expect(await page.locator('[data-test="log-table"] [data-type="consume"]').count()).toBe(3)
    await fixture.screenshot(page, 'logs')

    // Typing the model and pressing Enter searches (a person need not reach for the button).
    await page.locator('[data-test="filter-model"] input').fill('gpt-4o')
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.searchParams.get('model') === 'gpt-4o')
    await page.waitForFunction(() => document.querySelectorAll('[data-test="log-table"] [data-test="log-model"]').length === 1)
    expect(await models.allInnerTexts()).toEqual(['gpt-4o'])
    expect(await page.locator('[data-test="log-cost"]').innerText()).toBe(usd(Number(big?.quota)))

    await page.locator('[data-test="log-details"]').click()
    const drawer = page.locator('[data-test="log-drawer"]').or(page.locator('.n-drawer'))
    const charged = page.locator('[data-test="detail-charged"]')
    await charged.waitFor()
    const details = big?.details as { charged: number; priced: number; baseUsd: number; groupRatio: number } | undefined
    expect(await charged.innerText()).toContain(usd(Number(details?.charged)))
    expect(await page.locator('.n-drawer').innerText()).toContain(logs.en.detail.pricingTitle)
    // The formula's result keeps its digits, and a note says how it became whole quota units.
    const worked = formatUsd(Number(details?.baseUsd) * Number(details?.groupRatio), 'price')
    expect(await page.locator('[data-test="detail-formula"]').innerText()).toEndWith(`= ${worked}`)
    const rounding = await page.locator('[data-test="detail-rounding"]').innerText()
    expect(rounding).toContain('500,000 units = $1.00')
    expect(rounding).toContain(`${worked} is rounded to the nearest unit`)
    expect(rounding).toContain(`${Number(details?.priced).toLocaleString('en')} units = ${usd(Number(details?.priced))}`)
    await page.locator('[data-test="detail-formula"]').scrollIntoViewIfNeeded()
    await fixture.screenshot(page, 'logs-detail')
    await page.keyboard.press('Escape')
    await drawer.first().waitFor({ state: 'hidden' })

    // A reload keeps the filter (it lives in the address).
    await page.reload()
    await models.first().waitFor()
    expect(await models.allInnerTexts()).toEqual(['gpt-4o'])
  })

  test('the export link downloads the filtered rows as CSV (on a phone)', async () => {
    const rows = await fixture.gateway.logs({ type: 'consume' })
    const big = rows.find((row) => row.model === 'gpt-4o')
    // On a phone: the filters stack, the table scrolls inside itself, the page never sideways.
    const page = await signedInPage({ width: 375, height: 800 })
    await page.goto(`${fixture.gateway.url}/logs?model=gpt-4o`)
    await page.locator('[data-test="log-model"]').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0)
    const toggle = page.locator('[data-test="filters-toggle"]')
    expect(await toggle.innerText()).toContain('1')
    expect(await page.locator('[data-test="log-filters"]').isVisible()).toBe(false)
    await toggle.click()
    await page.locator('[data-test="filter-model"] input').waitFor()
    expect(await page.locator('[data-test="filter-model"] input').inputValue()).toBe('gpt-4o')
    await fixture.screenshot(page, 'logs-phone')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="export-csv"]').click()])
    const path = await download.path()
    const csv = readFileSync(path, 'utf8')
    const lines = csv.trim().split(/\r?\n/)
    expect(lines[0]).toContain('requestId')
    expect(lines).toHaveLength(2)
    expect(csv).toContain(String(big?.requestId))
  })

  test('the public pricing page works signed out: search and the per-1K switch', async () => {
    const pricing = (await (await fetch(`${fixture.gateway.url}/api/pricing`)).json()) as { items: Array<{ model: string; inputPerMTok: number | null }> }
    const mini = pricing.items.find((item) => item.model === 'gpt-4o-mini')
    expect(mini?.inputPerMTok).toBeGreaterThan(0)
    const money = (value: number) => formatUsd(value, 'price')

    const page = await fixture.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${fixture.gateway.url}/pricing`)
    await page.locator('h1', { hasText: nav.en.models }).waitFor()
    const names = page.locator('[data-test="model-name"]')
    await names.first().waitFor()
    expect(await names.allInnerTexts()).toEqual(['gpt-4o', 'gpt-4o-mini'])
    expect(new URL(page.url()).pathname).toBe('/pricing')

    await page.locator('[data-test="model-search"] input').fill('mini')
    await page.waitForFunction(() => document.querySelectorAll('[data-test="model-name"]').length === 1)
    const input = page.locator('[data-test="price-inputPerMTok"]')
    expect(await input.innerText()).toBe(money(mini?.inputPerMTok ?? 0))
    await page.locator('[data-test="unit-ktok"]').click()
    await page.waitForFunction(
      (expected) => document.querySelector('[data-test="price-inputPerMTok"]')?.textContent === expected,
      money((mini?.inputPerMTok ?? 0) / 1000),
    )
    await fixture.screenshot(page, 'pricing-signed-out')

    const phone = await fixture.newPage({ width: 375, height: 740 })
    await phone.goto(`${fixture.gateway.url}/pricing`)
    await phone.locator('[data-test="model-name"]').first().waitFor()
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    await fixture.screenshot(phone, 'pricing-phone')
    expect(overflow).toBeLessThanOrEqual(0)
  })

  test('the playground streams an answer from the upstream, keeps the conversation, and the call shows in the logs', async () => {
    const page = await signedInPage()
    await page.goto(`${fixture.gateway.url}/playground`)
    await page.locator('[data-test="model"]').click()
    await page.locator('.n-base-select-option', { hasText: /^gpt-4o-mini$/ }).click()
    await page.locator('[data-test="system-prompt"] textarea').fill('Answer in one sentence.')

    // A slow stream, so the words can be seen arriving.
    fixture.upstream.nextResponses.push({ kind: 'stream-gap', gapMs: 60 })
    const before = fixture.upstream.requests.length
    await page.locator('[data-test="message"] textarea').fill('Capital of France?')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="stop"]').waitFor()
    const answer = page.locator('[data-role="assistant"] [data-test="chat-text"]').last()
    await answer.getByText('The capital', { exact: false }).waitFor()
    await page.locator('[data-role="assistant"][data-status="done"]').waitFor()
    expect(await answer.innerText()).toBe("The capital of France is Paris. It's known for the Eiffel Tower.")
    await page.locator('[data-test="usage"]').getByText('24', { exact: false }).waitFor()
    expect(await page.locator('[data-test="usage"]').innerText()).toContain('39')
    const sent = fixture.upstream.requests[before]?.body as { model: string; stream: boolean; messages: Array<{ role: string; content: string }> }
    expect([sent.model, sent.stream]).toEqual(['gpt-4o-mini', true])
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: 'Capital of France?' },
    ])
    await fixture.screenshot(page, 'playground')

    // The call is in the logs, billed to the account (no API key: "Playground").
    await fixture.gateway.logs()
    await page.locator('[data-test="in-logs"]').click()
    await page.waitForURL((url) => url.pathname === '/logs' && url.searchParams.has('requestId'))
    const row = page.locator('[data-test="log-table"] tbody tr')
    await row.first().locator('[data-test="log-model"]').waitFor()
    expect(await row.count()).toBe(1)
    expect(await row.first().innerText()).toContain('gpt-4o-mini')
    expect(await row.first().innerText()).toContain(logs.en.cells.playground)
    await page.goBack()

    // A second turn carries the first one; its reasoning is folded under "Thinking".
    await page.locator('[data-test="message"] textarea').waitFor()
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      id: 'chatcmpl-think',
      object: 'chat.completion.chunk',
      created: 1748736180,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta, finish_reason: finish }],
    })
    fixture.upstream.nextResponses.push({
      kind: 'stream-gap',
      gapMs: 30,
      chunks: [
        chunk({ role: 'assistant', reasoning_content: 'The user wants a landmark; ' }),
        chunk({ reasoning_content: 'pick the tower.' }),
        chunk({ content: 'The Eiffel Tower.' }),
        chunk({}, 'stop'),
        {
          id: 'chatcmpl-think',
          object: 'chat.completion.chunk',
          created: 1748736180,
          model: 'gpt-4o-mini',
          choices: [],
          usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62, completion_tokens_details: { reasoning_tokens: 8 } },
        },
      ],
    })
    const second = fixture.upstream.requests.length
    await page.locator('[data-test="message"] textarea').fill('And its best-known landmark?')
    await page.locator('[data-test="send"]').click()
    await page.locator('[data-test="transcript"]').getByText('The Eiffel Tower.', { exact: true }).waitFor()
    await page.locator('[data-role="assistant"][data-status="done"]').nth(1).waitFor()
    const messages = (fixture.upstream.requests[second]!.body as { messages: Array<{ role: string }> }).messages
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user'])
    const thinking = page.locator('[data-test="thinking"]').last()
    expect(await thinking.innerText()).toContain(playground.en.thinking)
    expect(await thinking.innerText()).not.toContain('pick the tower.')
    await thinking.getByText(playground.en.thinking).click()
    await thinking.getByText('The user wants a landmark; pick the tower.').waitFor()
    expect(await page.locator('[data-test="usage"]').innerText()).toContain('62')

    // Stop ends a slow answer where it is; what arrived stays.
    fixture.upstream.nextResponses.push({ kind: 'stream-gap', gapMs: 400 })
    await page.locator('[data-test="message"] textarea').fill('Tell me more.')
    await page.keyboard.press('Enter')
    const third = page.locator('[data-role="assistant"]').nth(2)
    await third.getByText('The capital', { exact: false }).waitFor()
    await page.locator('[data-test="stop"]').click()
    await third.and(page.locator('[data-status="stopped"]')).waitFor()
    await page.locator('[data-test="send"]').waitFor()
    expect(await third.innerText()).not.toContain('Eiffel')
    // The newest words stay in view: the conversation is scrolled to its end.
    await page.waitForFunction(() => {
      const transcript = document.querySelector('[data-test="transcript"]')
      return transcript !== null && transcript.scrollTop + transcript.clientHeight >= transcript.scrollHeight - 2
    })
    await fixture.screenshot(page, 'playground-stopped')

    // Clearing asks first, then empties the conversation.
    await page.locator('[data-test="clear"]').click()
    await page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).or(page.locator('.n-popconfirm .n-button--primary-type')).first().click()
    await page.getByText(playground.en.start).waitFor()
    expect(await page.locator('[data-test="chat-message"]').count()).toBe(0)
  })

  test('playground errors are put in words', async () => {
    fixture.upstream.nextResponses.push({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 })
    const page = await signedInPage({ width: 375, height: 800 })
    await page.goto(`${fixture.gateway.url}/playground`)
    await page.locator('[data-test="message"] textarea').fill('Hello?')
    await page.keyboard.press('Enter')
    const failed = page.locator('[data-role="assistant"][data-status="failed"]')
    await failed.locator('[role="alert"]').waitFor()
    expect((await failed.innerText()).length).toBeGreaterThan(10)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    await fixture.screenshot(page, 'playground-error-phone')
    expect(overflow).toBeLessThanOrEqual(0)
    fixture.upstream.nextResponses.length = 0
  })
})
