import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import playgroundImages from '../../admin/src/i18n/messages/playground-images.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'
import { FAKE_PNG_BASE64, startFakeOpenAIImages, type FakeOpenAIImages } from '../support/fake-openai-images.ts'

// The playground's image generation in a real browser: a signed-in user picks an image model, a size and two
// images, types a prompt and sees the two images the fake upstream made, with dall-e-3's rewritten prompt; the
// call is billed to the account (dall-e-2, 2 × 512x512 at $0.018 = 18,000 units).

const ROOT_PASSWORD = 'root-password-123'

describe('playground image generation in the browser', () => {
  let fixture: BrowserFixture
  let images: FakeOpenAIImages

  beforeAll(async () => {
    images = await startFakeOpenAIImages()
    fixture = await startBrowserFixture()
    await fixture.gateway.createChannel({ name: 'images', type: 'openai', key: 'sk-images', baseUrl: images.url, models: ['dall-e-2', 'dall-e-3'] })
  }, 300_000)
  afterAll(async () => {
    await fixture?.stop()
    await images?.stop()
  })

  test('generates two images from a prompt and shows them; the call is billed to the signed-in user', async () => {
    const page = await fixture.newPage()
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.goto(`${fixture.gateway.url}/playground`)
    const card = page.locator('[data-test="image-playground"]')
    /** Picks an option of one of the card's selects (the menu opens with an animation: wait for it to settle). */
    const choose = async (select: string, option: string) => {
      await card.locator(`[data-test="${select}"]`).click()
      const item = page.locator('.n-base-select-menu .n-base-select-option', { hasText: new RegExp(`^${option}$`) })
      await item.waitFor()
      await page.waitForFunction(() => document.getAnimations().length === 0)
      await item.click({ force: true })
      await card.locator(`[data-test="${select}"]`).getByText(option, { exact: true }).waitFor()
    }
    expect(await card.innerText()).toContain(playgroundImages.en.title)
    // The first image model is chosen at first: dall-e-2.
    expect(await card.locator('[data-test="image-model"]').innerText()).toContain('dall-e-2')
    await choose('image-size', '512x512')
    await card.locator('[data-test="image-count"] input').fill('2')
    await card.locator('[data-test="image-prompt"] textarea').fill('two lighthouses')
    const { items } = await fixture.gateway.admin<{ items: Array<{ id: number; username: string }> }>('GET', '/api/users?q=root')
    const rootId = items.find((user) => user.username === 'root')!.id
    const before = await fixture.gateway.balance(rootId)
    await card.locator('[data-test="generate"]').click()
    await card.locator('[data-test="generated-image"]').nth(1).waitFor()
    const sources = await card.locator('[data-test="generated-image"]').evaluateAll((nodes) => nodes.map((node) => (node as HTMLImageElement).src))
    expect(sources).toEqual([`data:image/png;base64,${FAKE_PNG_BASE64}`, `data:image/png;base64,${FAKE_PNG_BASE64}`])
    // The image decoded: the browser drew the 1×1 PNG the fake sent.
    expect(
      await card
        .locator('[data-test="generated-image"]')
        .first()
        .evaluate((node) => (node as HTMLImageElement).naturalWidth),
    ).toBe(1)
    expect(images.requests.at(-1)?.fields).toMatchObject({ model: 'dall-e-2', prompt: 'two lighthouses', size: '512x512', n: 2, response_format: 'b64_json' })
    await fixture.gateway.logs()
    expect(before.quota - (await fixture.gateway.balance(rootId)).quota).toBe(18_000)
    await fixture.screenshot(page, 'playground-images')

    // dall-e-3 makes one image at a time: asking for two shows the gateway's refusal, and nothing is drawn anew.
    await choose('image-model', 'dall-e-3')
    await choose('image-size', '1024x1024')
    await card.locator('[data-test="generate"]').click()
    await card.locator('[data-test="image-error"]').getByText("The model 'dall-e-3' makes 1 image per request", { exact: false }).waitFor()
  }, 120_000)
})
