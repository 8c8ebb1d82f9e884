import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import nav from '../../admin/src/i18n/messages/nav.ts'
import tasks from '../../admin/src/i18n/messages/tasks.ts'
import { pollTasksOnce } from '../../core/tasks/task-poller.ts'
import { startFakeMidjourney } from '../support/fake-midjourney.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'

// The Tasks page in a real browser (issue 11 item 9): a Midjourney task that succeeded shows its picture
// (loaded through the admin API from the fake Midjourney-Proxy), one that failed shows the upstream's
// reason and that its $0.10 charge was refunded.

const ROOT_PASSWORD = 'root-password-123'

describe('tasks page in the browser', () => {
  let fixture: BrowserFixture
  const mj = startFakeMidjourney('mj-browser-secret')
  const ids = { success: '', failure: '' }

  beforeAll(async () => {
    fixture = await startBrowserFixture({ taskPollIntervalSeconds: 0.001 })
    const { gateway } = fixture
    await gateway.createChannel({ name: 'mj-proxy', type: 'midjourney', key: 'mj-browser-secret', baseUrl: mj.url, models: ['mj_imagine'] })
    const userId = await gateway.createUser({ username: 'painter', quota: 5_000_000 })
    const { key } = await gateway.createToken({ userId, unlimited: true })
    const submit = async (prompt: string) => {
      const response = await fetch(`${gateway.url}/mj/submit/imagine`, {
        method: 'POST',
        headers: { 'mj-api-secret': key, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      })
      return String(((await response.json()) as { result: string }).result)
    }
    ids.success = await submit('a lighthouse at dusk')
    mj.nextOutcome = { kind: 'failure', reason: 'Job queue timed out upstream' }
    ids.failure = await submit('a storm over the sea')
    mj.nextOutcome = { kind: 'success' }
    for (let pass = 0; pass < 6; pass++) await pollTasksOnce(gateway.services)
  }, 240_000)
  afterAll(async () => {
    await fixture?.stop()
    mj.stop()
  })

  async function adminPage(path: string): Promise<Page> {
    const page = await fixture.newPage({ width: 1920, height: 1000 })
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.goto(`${fixture.gateway.url}${path}`)
    return page
  }

  test('a finished image task shows its picture; a failed one shows the reason and the refund', async () => {
    const page = await adminPage('/tasks')
    await page.locator('h1', { hasText: nav.en.tasks }).waitFor()
    const done = page.locator(`[data-test="task-row"][data-id="${ids.success}"]`)
    await done.waitFor()
    expect(await done.locator('[data-status]').innerText()).toBe(tasks.en.status.SUCCESS)
    const image = done.locator('[data-test="task-image"]')
    await image.waitFor()
    await page.waitForFunction((id) => {
      const img = document.querySelector(`[data-id="${id}"] [data-test="task-image"]`) as HTMLImageElement | null
      return img?.complete === true && img.naturalWidth > 0
    }, ids.success)
    expect(await image.getAttribute('src')).toBe(`/api/tasks/${ids.success}/files/0`)
    expect(await done.locator('[data-test="task-charge"]').innerText()).toBe('$0.10')
    expect(await done.locator('[data-test="task-refund"]').count()).toBe(0)

    const failed = page.locator(`[data-test="task-row"][data-id="${ids.failure}"]`)
    expect(await failed.locator('[data-status]').innerText()).toBe(tasks.en.status.FAILURE)
    expect(await failed.locator('[data-test="task-fail-reason"]').innerText()).toBe('Job queue timed out upstream')
    expect(await failed.locator('[data-test="task-refund"]').innerText()).toBe('Refunded $0.10')
    expect(await failed.locator('[data-test="task-image"]').count()).toBe(0)
    await fixture.screenshot(page, 'tasks-page')
  }, 60_000)
})
