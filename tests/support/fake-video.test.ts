import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI, { toFile } from 'openai'
import { SignJWT } from 'jose'
import { startFakeOpenAIVideo } from './fake-video.ts'
import { startFakeKling } from './fake-kling.ts'

// The fake OpenAI Videos API serves the official openai SDK; the fake Kling checks its JWT and walks tasks.

const sora = startFakeOpenAIVideo({ key: 'sk-video', contentBytes: 4096 })
const kling = startFakeKling({ accessKey: 'ak-test', secretKey: 'sk-test-secret', videoBytes: 2048 })
afterAll(async () => {
  await sora.stop()
  await kling.stop()
})
beforeEach(() => {
  sora.reset()
  kling.reset()
})

const klingToken = (secret = 'sk-test-secret', exp = Math.floor(Date.now() / 1000) + 1800) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('ak-test')
    .setExpirationTime(exp)
    .setNotBefore(Math.floor(Date.now() / 1000) - 5)
    .sign(new TextEncoder().encode(secret))

describe('fake OpenAI Videos API', () => {
  test('the openai SDK creates (multipart with a reference image), polls and downloads a video', async () => {
    const client = new OpenAI({ apiKey: 'sk-video', baseURL: `${sora.url}/v1` })
    const created = await client.videos.create({
      model: 'sora-2-pro',
      prompt: 'a calm sea',
      seconds: '8',
      size: '1792x1024',
      input_reference: await toFile(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'ref.png', { type: 'image/png' }),
    })
    expect(created).toMatchObject({ object: 'video', status: 'queued', progress: 0, model: 'sora-2-pro', seconds: '8', size: '1792x1024' })
    expect(sora.jobs.get(created.id)?.requestContentType).toBe('multipart/form-data')
    expect(sora.jobs.get(created.id)?.request.input_reference).toMatchObject({ name: 'ref.png', size: 4 })
    const seen: string[] = []
    let video = created
    while (video.status !== 'completed') {
      video = await client.videos.retrieve(created.id)
      seen.push(`${video.status}:${video.progress}`)
    }
    expect(seen).toEqual(['queued:0', 'in_progress:35', 'in_progress:70', 'completed:100'])
    expect(video.completed_at).toBeNumber()
    const content = await client.videos.downloadContent(created.id)
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(sora.contentOf(created.id))
  })

  test('refuses what OpenAI refuses, and fails a video with an error object', async () => {
    const post = (body: unknown) =>
      fetch(`${sora.url}/v1/videos`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-video', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await post({ model: 'sora-2' })).status).toBe(400)
    expect((await post({ model: 'sora-2', prompt: 'x', seconds: '5' })).status).toBe(400)
    expect((await post({ model: 'sora-2', prompt: 'x', size: '1792x1024' })).status).toBe(400)
    sora.setNextOutcome({ kind: 'failed', code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' })
    const created = (await (await post({ prompt: 'x' })).json()) as { id: string }
    expect(sora.finish(created.id)).toMatchObject({ status: 'failed', error: { code: 'moderation_blocked' } })
    const content = await fetch(`${sora.url}/v1/videos/${created.id}/content`, { headers: { authorization: 'Bearer sk-video' } })
    expect(content.status).toBe(400)
  })
})

describe('fake Kling API', () => {
  test('a signed text2video task runs submitted → processing → succeed, and its video is served', async () => {
    const token = await klingToken()
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const created = (await (
      await fetch(`${kling.url}/v1/videos/text2video`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model_name: 'kling-v1', prompt: 'a cat', mode: 'pro', duration: '10' }),
      })
    ).json()) as { code: number; data: { task_id: string; task_status: string } }
    expect(created).toMatchObject({ code: 0, message: 'SUCCEED', data: { task_status: 'submitted' } })
    expect(kling.requests.at(-1)?.claims?.iss).toBe('ak-test')
    const statuses: string[] = []
    let data: { task_status: string; task_result?: { videos: Array<{ url: string; duration: string }> } } = { task_status: '' }
    for (let poll = 0; poll < 3; poll++) {
      const answer = (await (await fetch(`${kling.url}/v1/videos/text2video/${created.data.task_id}`, { headers })).json()) as { data: typeof data }
      data = answer.data
      statuses.push(data.task_status)
    }
    expect(statuses).toEqual(['submitted', 'processing', 'succeed'])
    expect(data.task_result?.videos[0]?.duration).toBe('10')
    const file = await fetch(String(data.task_result?.videos[0]?.url))
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(kling.videoOf(created.data.task_id))
  })

  test('a wrong signature, an expired token and a bad duration are refused with Kling codes', async () => {
    const post = async (token: string, body: unknown) => {
      const response = await fetch(`${kling.url}/v1/videos/text2video`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: response.status, code: ((await response.json()) as { code: number }).code }
    }
    expect(await post(await klingToken('other-secret'), { prompt: 'x' })).toEqual({ status: 401, code: 1002 })
    expect(await post(await klingToken(undefined, Math.floor(Date.now() / 1000) - 60), { prompt: 'x' })).toEqual({ status: 401, code: 1004 })
    expect(await post(await klingToken(), { prompt: 'x', duration: '7' })).toEqual({ status: 400, code: 1201 })
  })
})
