import { afterAll, beforeAll, expect, test } from 'bun:test'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'
import { startFakeRealtime, type FakeRealtime } from '../support/fake-realtime.ts'

// Issue 13 item 2 on the dashboard: a realtime session's rows show on the existing usage-logs page, found by
// the session id (their request id), and the detail drawer names the session and which response a row is.

let fixture: BrowserFixture
let fake: FakeRealtime

beforeAll(async () => {
  fake = startFakeRealtime({ keys: ['sk-upstream'] })
  fixture = await startBrowserFixture()
  await fixture.gateway.createChannel({ name: 'realtime', type: 'openai', key: 'sk-upstream', baseUrl: fake.url, models: ['gpt-realtime'] })
}, 180_000)
afterAll(async () => {
  await fixture?.stop()
  await fake?.stop()
})

/** Opens a session with Bun's WebSocket (Bearer header), runs one response, and closes it. */
async function runSession(key: string): Promise<void> {
  const url = `${fixture.gateway.url.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`
  const socket = new (WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket)(url, {
    headers: { authorization: `Bearer ${key}` },
  })
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => socket.send(JSON.stringify({ type: 'response.create' }))
    socket.onmessage = (event) => {
      if (String(event.data).includes('"response.done"')) resolve()
    }
    socket.onerror = () => reject(new Error('socket error'))
  })
  socket.close()
  while (fixture.gateway.realtime.count() > 0) await Bun.sleep(20)
}

test('an admin finds a realtime session by its id on the logs page and sees it in the detail drawer', async () => {
  const userId = await fixture.gateway.createUser({ username: 'talker', quota: 1_000_000 })
  const token = await fixture.gateway.createToken({ userId, unlimited: true })
  await runSession(token.key)
  const rows = (await fixture.gateway.logs({ type: 'consume' })).filter((row) => row.userId === userId)
  const sessionId = String(rows[0]?.requestId)
  expect(sessionId).toMatch(/^rt_/)

  const page = await fixture.newPage({ width: 1280, height: 900 })
  page.setDefaultTimeout(15_000)
  await signInThroughPage(page, fixture.gateway.url, 'root', 'root-password-123')
  await page.goto(`${fixture.gateway.url}/logs?requestId=${encodeURIComponent(sessionId)}`)
  const details = page.locator('[data-test="log-details"]')
  await details.first().waitFor()
  expect(await details.count()).toBe(2)
  const texts: string[] = []
  for (let index = 0; index < 2; index++) {
    await details.nth(index).click()
    const realtime = page.locator('[data-test="detail-realtime"]')
    await realtime.waitFor()
    texts.push(await realtime.innerText())
    await page.keyboard.press('Escape')
    await realtime.waitFor({ state: 'detached' })
  }
  expect(texts.sort()).toEqual([`${sessionId} · response 1`, `${sessionId} · session total: 1 responses`].sort())
  await fixture.screenshot(page, 'realtime-logs')
}, 120_000)
