import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import playgroundSpeech from '../../admin/src/i18n/messages/playground-speech.ts'
import { signInThroughPage, startBrowserFixture, type BrowserFixture } from './harness.ts'
import { fakeSpeechBytes, startFakeOpenAIAudio, type FakeOpenAIAudio } from '../support/fake-openai-audio.ts'

// The playground's speech card in a real browser: a signed-in user picks a speech model and a voice, types a
// text, presses Speak and gets an audio player holding exactly the bytes the fake upstream spoke; the call is
// billed to the account per character (tts-1: 44 characters × $15/1M = 330 units).

const ROOT_PASSWORD = 'root-password-123'

describe('playground speech in the browser', () => {
  let fixture: BrowserFixture
  let audio: FakeOpenAIAudio

  beforeAll(async () => {
    audio = startFakeOpenAIAudio()
    audio.speechSize = 4096
    fixture = await startBrowserFixture()
    await fixture.gateway.createChannel({ name: 'speech', type: 'openai', key: 'sk-upstream', baseUrl: audio.url, models: ['tts-1', 'whisper-1'] })
  }, 300_000)
  afterAll(async () => {
    await fixture?.stop()
    audio?.stop()
  })

  test('speaks a text: the player holds the upstream audio, the call is billed per character', async () => {
    const page = await fixture.newPage()
    page.setDefaultTimeout(15_000)
    await signInThroughPage(page, fixture.gateway.url, 'root', ROOT_PASSWORD)
    await page.goto(`${fixture.gateway.url}/playground`)
    const card = page.locator('[data-test="speech-playground"]')
    expect(await card.innerText()).toContain(playgroundSpeech.en.title)
    // Only the speech model is offered: whisper-1 transcribes.
    await card.locator('[data-test="speech-model"]').click()
    const options = page.locator('.n-base-select-menu .n-base-select-option')
    await options.first().waitFor()
    expect(await options.allInnerTexts()).toEqual(['tts-1'])
    await page.keyboard.press('Escape')
    await card.locator('[data-test="speech-voice"]').click()
    const nova = page.locator('.n-base-select-menu .n-base-select-option', { hasText: /^nova$/ })
    await nova.waitFor()
    await page.waitForFunction(() => document.getAnimations().length === 0)
    await nova.click({ force: true })
    const text = 'The quick brown fox jumps over the lazy dog.'
    await card.locator('[data-test="speech-text"] textarea').fill(text)
    const { items } = await fixture.gateway.admin<{ items: Array<{ id: number; username: string }> }>('GET', '/api/users?q=root')
    const rootId = items.find((user) => user.username === 'root')!.id
    const before = await fixture.gateway.balance(rootId)
    await card.locator('[data-test="speak"]').click()
    const player = card.locator('[data-test="speech-audio"]')
    await player.waitFor()
    // The player's source holds the fake's bytes exactly.
    const played = await player.evaluate(async (node) => Array.from(new Uint8Array(await (await fetch((node as HTMLAudioElement).src)).arrayBuffer())))
    expect(Buffer.from(played).equals(Buffer.from(fakeSpeechBytes(4096)))).toBe(true)
    expect(audio.requests.at(-1)?.json).toEqual({ model: 'tts-1', input: text, voice: 'nova', response_format: 'mp3' })
    await fixture.gateway.logs()
    // 44 characters × $15 per 1M characters = $0.00066 = 330 units.
    expect(before.quota - (await fixture.gateway.balance(rootId)).quota).toBe(330)
    await fixture.screenshot(page, 'playground-speech')
  }, 120_000)
})
