import { afterAll, describe, expect, test } from 'bun:test'
import {
  GatewayError,
  taskPriceUsd,
  type ChannelContext,
  type TaskResultFile,
  type TaskView,
  type UpstreamReply,
  type UpstreamRequest,
  type UpstreamTaskState,
} from '@hanggent/plugin-sdk'
import { startFakeOpenAIVideo } from '../../tests/support/fake-video.ts'
import { startFakeKling } from '../../tests/support/fake-kling.ts'
import { renderOpenAIVideo, renderVideoGeneration } from './render-video.ts'
import { videoPlatform, videoSubmission } from './video-platform.ts'
import { readOpenAIVideoCreate, readVideoGeneration } from './video-request.ts'

// The video platform's pure parts against the fake OpenAI Videos API and the fake Kling API: both route
// families read into one request, sent in each provider's format by channel type, the answers read back
// into task states until the video is done, the content fetched, and each task rendered in both shapes.

const sora = startFakeOpenAIVideo({ key: 'sk-sora', contentBytes: 3000 })
const kling = startFakeKling({ accessKey: 'ak-1', secretKey: 'sk-kling-secret', videoBytes: 2000 })
afterAll(async () => {
  await sora.stop()
  await kling.stop()
})

const config = { azureDefaultApiVersion: '' }
const openAIChannel: ChannelContext = { id: 1, type: 'openai', baseUrl: sora.url, key: 'sk-sora', settings: {}, config }
const klingChannel: ChannelContext = { id: 2, type: 'kling', baseUrl: kling.url, key: 'ak-1|sk-kling-secret', settings: {}, config }
const submitRoute = (path: string) => {
  const route = videoPlatform.routes.find((candidate) => candidate.kind === 'submit' && candidate.path === path)
  if (route?.kind !== 'submit') throw new Error(`no submit route ${path}`)
  return route
}
const inbound = (url = 'http://gateway/v1/videos/x/content') => ({ headers: new Headers(), url: new URL(url), params: {} })

async function send(request: UpstreamRequest): Promise<UpstreamReply & { bytes: Uint8Array }> {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
  const bytes = new Uint8Array(await response.arrayBuffer())
  const text = new TextDecoder().decode(bytes)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, text, json, bytes }
}

/** Submits through a route and polls until the task ends, as the core would. */
async function run(path: string, body: Record<string, unknown>, channel: ChannelContext) {
  const submission = submitRoute(path).readSubmission(body, inbound())
  const outcome = videoPlatform.readSubmitReply(await send(videoPlatform.buildSubmit(channel, submission, undefined)), submission)
  if (!outcome.accepted) throw outcome.error
  const seen: string[] = []
  let state: UpstreamTaskState | undefined
  for (let poll = 0; poll < 8 && state?.status !== 'SUCCESS' && state?.status !== 'FAILURE'; poll++) {
    const reply = await send(videoPlatform.polling.buildRequest(channel, [outcome.upstreamTaskId]))
    state = videoPlatform.polling.readReply(reply, [outcome.upstreamTaskId])[0]
    seen.push(`${state?.status}:${state?.progress}`)
  }
  return { submission, outcome, state, seen }
}

async function content(channel: ChannelContext, upstreamTaskId: string, file: TaskResultFile): Promise<Uint8Array> {
  const route = videoPlatform.routes.find((candidate) => candidate.kind === 'content')
  if (route?.kind !== 'content' || !route.buildRequest) throw new Error('no content route')
  const request = route.buildRequest(channel, upstreamTaskId, inbound(), file) ?? { url: file.url, method: 'GET', headers: {} }
  return (await send(request)).bytes
}

function caught(run: () => unknown): GatewayError {
  try {
    run()
  } catch (error) {
    if (error instanceof GatewayError) return error
    throw error
  }
  throw new Error('expected a GatewayError')
}

describe('video platform against OpenAI and Kling', () => {
  test('/v1/videos on an OpenAI channel: multipart reference upload, queued → in progress → completed, content bytes through the key', async () => {
    const upload = { name: 'ref.png', type: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }
    const { submission, outcome, state, seen } = await run(
      '/v1/videos',
      { model: 'sora-2-pro', prompt: 'waves', seconds: '8', size: '1792x1024', input_reference: upload },
      openAIChannel,
    )
    expect(submission).toMatchObject({ action: 'generate', model: 'sora-2-pro', seconds: 8, resolution: '1792x1024' })
    if (!outcome.accepted) throw new Error('refused')
    const job = sora.jobs.get(outcome.upstreamTaskId)
    expect(job?.requestContentType).toBe('multipart/form-data')
    expect(job?.request).toMatchObject({
      model: 'sora-2-pro',
      prompt: 'waves',
      seconds: '8',
      size: '1792x1024',
      input_reference: { type: 'image/png', size: 7 },
    })
    expect(seen).toEqual(['SUBMITTED:0', 'IN_PROGRESS:35', 'IN_PROGRESS:70', 'SUCCESS:100'])
    const file = state?.result?.files?.[0]
    if (!file) throw new Error('no file')
    expect(await content(openAIChannel, outcome.upstreamTaskId, file)).toEqual(sora.contentOf(outcome.upstreamTaskId))
  })

  test('/v1/video/generations on a Kling channel: text2video with a signed token, processing → succeed, the CDN video as is', async () => {
    const { submission, outcome, state, seen } = await run(
      '/v1/video/generations',
      { model: 'kling-v1', prompt: 'a cat', duration: 10, mode: 'pro', width: 720, height: 1280, metadata: { negative_prompt: 'dogs', model: 'sneaky' } },
      klingChannel,
    )
    expect(submission).toMatchObject({ action: 'textGenerate', model: 'kling-v1', seconds: 10, mode: 'pro' })
    if (!outcome.accepted) throw new Error('refused')
    expect(outcome.upstreamTaskId).toMatch(/^text2video\/\d+$/)
    const task = kling.tasks.get(outcome.upstreamTaskId.split('/')[1] ?? '')
    expect(task?.request).toEqual({ negative_prompt: 'dogs', model_name: 'kling-v1', prompt: 'a cat', mode: 'pro', duration: '10', aspect_ratio: '9:16' })
    expect(kling.requests.at(-1)?.claims?.iss).toBe('ak-1')
    expect(seen).toEqual(['SUBMITTED:10', 'IN_PROGRESS:50', 'SUCCESS:100'])
    const file = state?.result?.files?.[0]
    if (!file) throw new Error('no file')
    expect(await content(klingChannel, outcome.upstreamTaskId, file)).toEqual(kling.videoOf(task?.taskId ?? ''))
  })

  test('a Kling image task shows in Sora shape and an OpenAI task in New API shape, with gateway ids only', async () => {
    const klingRun = await run('/v1/videos', { model: 'kling-v1-6', prompt: 'move', input_reference: { image_url: 'https://example.com/a.png' } }, klingChannel)
    if (!klingRun.outcome.accepted) throw new Error('refused')
    expect(klingRun.outcome.upstreamTaskId).toMatch(/^image2video\//)
    const note = videoPlatform.readSubmitReply({ status: 200, text: '', json: { code: 0, data: { task_id: '1' } } }, klingRun.submission)
    const view: TaskView = {
      id: 'task_gw_k',
      platform: 'video',
      action: klingRun.submission.action,
      model: 'kling-v1-6',
      status: 'SUCCESS',
      progress: 100,
      prompt: 'move',
      submitTime: 1_700_000_000_000,
      finishTime: 1_700_000_060_000,
      result: { files: [{ kind: 'video', url: 'https://gw.example/v1/videos/task_gw_k/content' }], extra: klingRun.state?.result?.extra },
      ...(note.accepted && note.note ? { note: note.note } : {}),
    }
    expect(renderOpenAIVideo(view)).toEqual({
      id: 'task_gw_k',
      object: 'video',
      model: 'kling-v1-6',
      status: 'completed',
      progress: 100,
      created_at: 1_700_000_000,
      completed_at: 1_700_000_060,
      expires_at: null,
      error: null,
      prompt: 'move',
      remixed_from_video_id: null,
      seconds: '5',
      size: '1280x720',
    })
    const failed: TaskView = {
      ...view,
      id: 'task_gw_o',
      model: 'sora-2',
      status: 'FAILURE',
      failReason: 'blocked',
      result: undefined,
      note: { seconds: '4', size: '720x1280' },
    }
    expect(renderVideoGeneration(failed)).toMatchObject({
      code: 'success',
      data: { task_id: 'task_gw_o', status: 'FAILURE', fail_reason: 'blocked', progress: '100%', seconds: '4', result_url: '' },
    })
    expect(renderOpenAIVideo(failed)).toMatchObject({ status: 'failed', error: { message: 'blocked' } })
  })

  test('a failed OpenAI video and a refused Kling create are read as FAILURE and as a client error', async () => {
    sora.setNextOutcome({ kind: 'failed', code: 'moderation_blocked', message: 'blocked by moderation' })
    const failed = await run('/v1/videos', { model: 'sora-2', prompt: 'x' }, openAIChannel)
    expect(failed.state).toMatchObject({ status: 'FAILURE', failReason: 'blocked by moderation' })
    kling.failNextCreate(400, 1201, 'prompt contains sensitive words')
    const submission = submitRoute('/v1/videos').readSubmission({ model: 'kling-v1', prompt: 'x' }, inbound())
    const refused = videoPlatform.readSubmitReply(await send(videoPlatform.buildSubmit(klingChannel, submission, undefined)), submission)
    expect(refused).toMatchObject({ accepted: false, retryable: false, error: { status: 400, message: 'prompt contains sensitive words' } })
    sora.failNextCreate(500, 'server error')
    const broken = videoPlatform.readSubmitReply(
      await send(videoPlatform.buildSubmit(openAIChannel, videoSubmission(readOpenAIVideoCreate({ model: 'sora-2', prompt: 'x' })), undefined)),
      submission,
    )
    expect(broken).toMatchObject({ accepted: false, retryable: true })
    expect(() => videoPlatform.polling.readReply({ status: 502, text: 'bad gateway', json: undefined }, ['v'])).toThrow()
  })
})

describe('video requests: bad input and prices', () => {
  const create = (body: Record<string, unknown>) => () => videoSubmission(readOpenAIVideoCreate(body))
  const generation = (body: Record<string, unknown>) => () => videoSubmission(readVideoGeneration(body))

  test('missing prompt, unknown model, seconds out of range, bad size and oversized references are 4xx naming the field', () => {
    expect(caught(create({ model: 'sora-2' }))).toMatchObject({ status: 400, code: 'missing_required_parameter', param: 'prompt' })
    expect(caught(create({ model: 'sora-2', prompt: '   ' }))).toMatchObject({ status: 400, param: 'prompt' })
    expect(caught(create({ model: 'veo-9', prompt: 'x' }))).toMatchObject({ status: 400, code: 'model_not_supported', param: 'model' })
    expect(caught(create({ model: 'sora-2', prompt: 'x', seconds: '5' }))).toMatchObject({ status: 400, param: 'seconds' })
    expect(caught(generation({ model: 'kling-v1', prompt: 'x', duration: 8 }))).toMatchObject({ status: 400, param: 'seconds' })
    expect(caught(generation({ model: 'kling-v1', prompt: 'x', duration: 4000 }))).toMatchObject({ status: 400, param: 'duration' })
    expect(caught(create({ model: 'sora-2', prompt: 'x', size: '1792x1024' }))).toMatchObject({ status: 400, param: 'size' })
    expect(caught(generation({ model: 'kling-v1', prompt: 'x', mode: 'ultra' }))).toMatchObject({ status: 400, param: 'mode' })
    const big = { name: 'big.png', type: 'image/png', bytes: new Uint8Array(10 * 1024 * 1024 + 1) }
    expect(caught(create({ model: 'sora-2', prompt: 'x', input_reference: big }))).toMatchObject({ status: 413, param: 'input_reference' })
    const bigDataUrl = `data:image/png;base64,${'A'.repeat(Math.ceil(((10 * 1024 * 1024 + 3) * 4) / 3))}`
    expect(caught(generation({ model: 'sora-2', prompt: 'x', image: bigDataUrl }))).toMatchObject({ status: 413, param: 'image' })
    expect(caught(generation({ model: 'sora-2', prompt: 'x', image: 'data:image/png;base64,@@@' }))).toMatchObject({ status: 400, param: 'image' })
    expect(caught(create({ model: 'sora-2', prompt: 'x', input_reference: { name: 'a.gif', type: 'image/gif', bytes: new Uint8Array(3) } }))).toMatchObject({
      status: 400,
    })
    expect(caught(generation({ model: 'sora-2', prompt: 'x', width: 720 }))).toMatchObject({ status: 400, param: 'height' })
    expect(caught(generation({ model: 'sora-2', prompt: 'x', metadata: '{oops' }))).toMatchObject({ status: 400, param: 'metadata' })
  })

  test('per-second prices: Sora by resolution with 4 s default, Kling by mode', () => {
    const price = (submission: ReturnType<typeof videoSubmission>) => {
      const key = Object.keys(videoPlatform.prices).find(
        (name) => name === submission.model || (name.endsWith('*') && submission.model.startsWith(name.slice(0, -1))),
      )
      const entry = key === undefined ? undefined : videoPlatform.prices[key]
      if (!entry) throw new Error(`no price for ${submission.model}`)
      return Math.round(taskPriceUsd(entry, submission) * 500_000)
    }
    expect(price(videoSubmission(readOpenAIVideoCreate({ model: 'sora-2', prompt: 'x' })))).toBe(200_000)
    expect(price(videoSubmission(readOpenAIVideoCreate({ model: 'sora-2', prompt: 'x', seconds: 12 })))).toBe(600_000)
    expect(price(videoSubmission(readOpenAIVideoCreate({ model: 'sora-2-pro', prompt: 'x', seconds: '8', size: '1280x720' })))).toBe(1_200_000)
    expect(price(videoSubmission(readOpenAIVideoCreate({ model: 'sora-2-pro', prompt: 'x', seconds: '8', size: '1024x1792' })))).toBe(2_000_000)
    expect(price(videoSubmission(readVideoGeneration({ model: 'kling-v1', prompt: 'x' })))).toBe(70_000)
    expect(price(videoSubmission(readVideoGeneration({ model: 'kling-v2-1', prompt: 'x', mode: 'pro', duration: '10' })))).toBe(490_000)
  })
})
