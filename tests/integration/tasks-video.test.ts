import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { pollTasksOnce } from '../../core/tasks/task-poller.ts'
import { startFakeKling } from '../support/fake-kling.ts'
import { startFakeOpenAIVideo } from '../support/fake-video.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Video generation through the gateway (issue 11 item 4), with plain HTTP and the official openai SDK:
// create → poll → download through an OpenAI (Sora) channel and a Kling channel, on both route families
// (`/v1/videos` and New API's `/v1/video/generations`), each task readable in both shapes; charges per
// second to the unit (sora-2 $0.10/s, sora-2-pro $0.50/s at 1792x1024, Kling pro $0.098/s); a refund on
// an upstream failure; bad input refused in OpenAI's error shape with nothing charged.

const sora = startFakeOpenAIVideo({ key: 'sk-sora', contentBytes: 200_000 })
const kling = startFakeKling({ accessKey: 'ak-video', secretKey: 'kling-secret', videoBytes: 150_000 })
let gateway: TestGateway
let key: string
let userId: number

beforeAll(async () => {
  gateway = await startGateway({}, { taskPollIntervalSeconds: 0.001 })
  await gateway.createChannel({ name: 'sora', type: 'openai', key: 'sk-sora', baseUrl: sora.url, models: ['sora-2', 'sora-2-pro'] })
  await gateway.createChannel({ name: 'kling', type: 'kling', key: 'ak-video|kling-secret', baseUrl: kling.url, models: ['kling-v1', 'kling-v2-1'] })
  userId = await gateway.createUser({ username: 'director', quota: 50_000_000 })
  key = (await gateway.createToken({ userId, unlimited: true })).key
}, 60_000)
afterAll(async () => {
  await gateway?.stop()
  await sora.stop()
  await kling.stop()
})

const headers = () => ({ authorization: `Bearer ${key}` })
const post = async (path: string, body: unknown) => {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { ...headers(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const get = async (path: string) => {
  const response = await fetch(`${gateway.url}${path}`, { headers: headers() })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const quota = async () => (await gateway.balance(userId)).quota

/** Polls until `/v1/videos/{id}` says completed or failed. */
async function pollUntilDone(id: string): Promise<Record<string, unknown>> {
  for (let pass = 0; pass < 10; pass++) {
    await pollTasksOnce(gateway.services)
    const video = (await get(`/v1/videos/${id}`)).body
    if (video.status === 'completed' || video.status === 'failed') return video
  }
  throw new Error(`video ${id} did not finish`)
}

async function download(id: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const response = await fetch(`${gateway.url}/v1/videos/${id}/content`, { headers: headers() })
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) }
}

describe('video through the gateway', () => {
  test('OpenAI channel, /v1/videos: 8 s of sora-2 is 400,000 units; poll; the mp4 streams through the gateway; New API shape too', async () => {
    const before = await quota()
    const created = await post('/v1/videos', { model: 'sora-2', prompt: 'a lighthouse at dusk', seconds: '8', size: '1280x720' })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ object: 'video', model: 'sora-2', status: 'queued', seconds: '8', size: '1280x720' })
    const id = String(created.body.id)
    expect(created.body.task_id).toBe(id)
    const upstreamId = [...sora.jobs.keys()].at(-1) ?? ''
    expect(id).not.toBe(upstreamId)
    expect(before - (await quota())).toBe(400_000)

    const video = await pollUntilDone(id)
    expect(video).toMatchObject({ id, status: 'completed', progress: 100, error: null })
    const content = await download(id)
    expect(content).toMatchObject({ status: 200, type: 'video/mp4' })
    expect(content.bytes).toEqual(sora.contentOf(upstreamId))
    const generic = (await get(`/v1/video/generations/${id}`)).body
    expect(generic).toMatchObject({
      code: 'success',
      data: { task_id: id, status: 'SUCCESS', progress: '100%', result_url: `${gateway.url}/v1/videos/${id}/content` },
    })
    expect(JSON.stringify(generic) + JSON.stringify(video)).not.toContain(upstreamId)
    expect(before - (await quota())).toBe(400_000)
  }, 30_000)

  test('the official openai SDK: multipart reference on sora-2-pro 1792x1024 (4 s × $0.50 = 1,000,000 units), retrieve, downloadContent', async () => {
    const before = await quota()
    const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    const reference = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9, 9])], 'ref.png', { type: 'image/png' })
    const created = await client.videos.create({ model: 'sora-2-pro', prompt: 'a fox', size: '1792x1024', input_reference: reference })
    expect(before - (await quota())).toBe(1_000_000)
    const job = [...sora.jobs.values()].at(-1)
    expect(job?.requestContentType).toBe('multipart/form-data')
    expect(job?.request).toMatchObject({ model: 'sora-2-pro', seconds: '4', size: '1792x1024', input_reference: { type: 'image/png', size: 7 } })
    await pollUntilDone(created.id)
    const video = await client.videos.retrieve(created.id)
    expect(video).toMatchObject({ id: created.id, status: 'completed', seconds: '4', size: '1792x1024' })
    const content = await client.videos.downloadContent(created.id)
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(sora.contentOf(String(job?.video.id)))
  }, 30_000)

  test('Kling channel, /v1/video/generations: 10 s pro is 490,000 units; seen in Sora shape; the CDN video through the gateway', async () => {
    const before = await quota()
    const created = await post('/v1/video/generations', { model: 'kling-v1', prompt: 'a cat on a piano', duration: 10, mode: 'pro', width: 1280, height: 720 })
    expect(created.status).toBe(200)
    const id = String(created.body.task_id)
    expect(before - (await quota())).toBe(490_000)
    const upstream = [...kling.tasks.values()].at(-1)
    expect(upstream?.request).toMatchObject({ model_name: 'kling-v1', mode: 'pro', duration: '10', aspect_ratio: '16:9' })
    const video = await pollUntilDone(id)
    expect(video).toMatchObject({ id, object: 'video', model: 'kling-v1', status: 'completed', seconds: '10', size: '1280x720' })
    const content = await download(id)
    expect(content.status).toBe(200)
    expect(content.bytes).toEqual(kling.videoOf(upstream?.taskId ?? ''))
    const generic = (await get(`/v1/video/generations/${id}`)).body
    expect(JSON.stringify(generic)).not.toContain(kling.url)
    expect(JSON.stringify(generic)).not.toContain(upstream?.taskId ?? '')
  }, 30_000)

  test('Kling on /v1/videos with an image URL: image2video; a failed task is refunded once', async () => {
    const before = await quota()
    kling.setNextOutcome({ kind: 'failed', message: 'image failed the content review' })
    const created = await post('/v1/videos', { model: 'kling-v2-1', prompt: 'make it move', input_reference: { image_url: 'https://example.com/still.png' } })
    expect(created.status).toBe(200)
    expect(before - (await quota())).toBe(70_000)
    expect([...kling.tasks.values()].at(-1)?.kind).toBe('image2video')
    const video = await pollUntilDone(String(created.body.id))
    expect(video).toMatchObject({ status: 'failed', error: { message: 'image failed the content review' } })
    expect(await quota()).toBe(before)
    await pollTasksOnce(gateway.services)
    expect(await quota()).toBe(before)
    const generic = (await get(`/v1/video/generations/${String(created.body.id)}`)).body
    expect(generic).toMatchObject({ data: { status: 'FAILURE', fail_reason: 'image failed the content review' } })
  }, 30_000)

  test('a Sora video OpenAI fails is refunded in full', async () => {
    const before = await quota()
    sora.setNextOutcome({ kind: 'failed', code: 'moderation_blocked', message: 'blocked by moderation' })
    const created = await post('/v1/videos', { model: 'sora-2', prompt: 'something', seconds: 12 })
    expect(before - (await quota())).toBe(600_000)
    expect(await pollUntilDone(String(created.body.id))).toMatchObject({ status: 'failed', error: { message: 'blocked by moderation' } })
    expect(await quota()).toBe(before)
  }, 30_000)

  test('bad input and upstream refusals: 4xx in OpenAI error shape, nothing charged, nothing sent', async () => {
    const before = await quota()
    const soraRequests = sora.requests.length
    const missingPrompt = await post('/v1/videos', { model: 'sora-2' })
    expect(missingPrompt).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', param: 'prompt' } } })
    const unknownModel = await post('/v1/video/generations', { model: 'veo-9', prompt: 'x' })
    expect(unknownModel).toMatchObject({ status: 400, body: { error: { code: 'model_not_supported', param: 'model' } } })
    expect((await post('/v1/videos', { model: 'sora-2', prompt: 'x', seconds: '5' })).body).toMatchObject({ error: { param: 'seconds' } })
    expect((await post('/v1/video/generations', { model: 'kling-v1', prompt: 'x', duration: 7 })).status).toBe(400)
    const form = new FormData()
    form.set('model', 'sora-2')
    form.set('prompt', 'x')
    form.set('input_reference', new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'big.png', { type: 'image/png' }))
    const oversized = await fetch(`${gateway.url}/v1/videos`, { method: 'POST', headers: headers(), body: form })
    expect(oversized.status).toBe(413)
    expect(((await oversized.json()) as { error: { param: string } }).error.param).toBe('input_reference')
    const unknownTask = await get('/v1/videos/video_doesnotexist')
    expect(unknownTask).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(sora.requests.length).toBe(soraRequests)
    kling.failNextCreate(400, 1201, 'prompt contains sensitive words')
    const refused = await post('/v1/video/generations', { model: 'kling-v1', prompt: 'sensitive' })
    expect(refused).toMatchObject({ status: 400, body: { error: { message: 'prompt contains sensitive words' } } })
    expect(await quota()).toBe(before)
  }, 30_000)
})
