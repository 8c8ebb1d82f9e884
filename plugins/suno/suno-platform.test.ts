import { afterAll, describe, expect, test } from 'bun:test'
import { GatewayError, type ChannelContext, type InboundRequest, type TaskView, type UpstreamReply, type UpstreamRequest } from '@hanggent/plugin-sdk'
import { startFakeSuno } from '../../tests/support/fake-suno.ts'
import { buildSunoSubmit, readSunoFetchIds, readSunoFetchReply, readSunoSubmission, readSunoSubmitReply, sunoPlatform } from './suno-platform.ts'
import { mapSunoStatus } from './map-suno-status.ts'
import { renderSunoError, renderSunoTask } from './render-suno-task.ts'

// The suno platform's pure parts, driven against the fake Suno-API's real answers: reading requests,
// building upstream calls, reading Suno-API's replies into task states, and rendering New API's shapes.

const suno = startFakeSuno({ key: 'suno-key' })
afterAll(() => suno.stop())

const channel = (): ChannelContext => ({ id: 7, type: 'suno', baseUrl: suno.url, key: 'suno-key', settings: {}, config: { azureDefaultApiVersion: '' } })
const inbound = (action: string): InboundRequest => ({ headers: new Headers(), url: new URL(`http://gateway/suno/submit/${action}`), params: { action } })

/** Sends an UpstreamRequest as the core would and returns the reply. */
async function send(request: UpstreamRequest): Promise<UpstreamReply> {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, text, json }
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

describe('suno platform: requests', () => {
  test('music and lyrics are priced by action; MUSIC continuation names its parent by the gateway id', () => {
    expect(readSunoSubmission({ prompt: 'la la', tags: 'pop' }, inbound('music'))).toMatchObject({ action: 'MUSIC', model: 'suno_music', prompt: 'la la' })
    expect(readSunoSubmission({ prompt: 'the sea' }, inbound('LYRICS'))).toMatchObject({ action: 'LYRICS', model: 'suno_lyrics' })
    expect(readSunoSubmission({ prompt: 'more', task_id: 'task_abc', continue_clip_id: 'c1', continue_at: 30 }, inbound('music')).parentTaskId).toBe('task_abc')
  })

  test('unknown action, missing prompt and a wrong type are 400s naming the field', () => {
    expect(caught(() => readSunoSubmission({ prompt: 'x' }, inbound('video')))).toMatchObject({ status: 400, param: 'action' })
    expect(caught(() => readSunoSubmission({ tags: 'pop' }, inbound('music')))).toMatchObject({ status: 400, code: 'missing_required_parameter' })
    expect(caught(() => readSunoSubmission({}, inbound('lyrics')))).toMatchObject({ status: 400, param: 'prompt' })
    expect(caught(() => readSunoSubmission({ prompt: 'x', make_instrumental: 'yes' }, inbound('music')))).toMatchObject({
      status: 400,
      param: 'make_instrumental',
    })
    expect(caught(() => readSunoFetchIds({ ids: 'abc' }))).toMatchObject({ status: 400, param: 'ids' })
  })

  test('the submit goes to Suno-API with the key; a follow-up carries the parent upstream id', () => {
    const submission = readSunoSubmission({ prompt: 'more', task_id: 'task_gateway' }, inbound('music'))
    const request = buildSunoSubmit(channel(), submission, { id: 'task_gateway', upstreamTaskId: 'up-123', action: 'MUSIC', status: 'SUCCESS' })
    expect(request).toMatchObject({ url: `${suno.url}/suno/submit/music`, method: 'POST', headers: { authorization: 'Bearer suno-key' } })
    expect(JSON.parse(String(request.body))).toEqual({ prompt: 'more', task_id: 'up-123' })
  })
})

describe('suno platform: the upstream lifecycle read from Suno-API', () => {
  test('submit → SUBMITTED → IN_PROGRESS → SUCCESS with two clips whose audio, video and image are result files', async () => {
    const submission = readSunoSubmission({ prompt: 'la', title: 'Song', mv: 'chirp-v3-5' }, inbound('music'))
    const outcome = readSunoSubmitReply(await send(buildSunoSubmit(channel(), submission, undefined)))
    if (!outcome.accepted) throw new Error('refused')
    const ids = [outcome.upstreamTaskId]
    const seen: string[] = []
    let state = undefined as ReturnType<typeof readSunoFetchReply>[number] | undefined
    for (let poll = 0; poll < 4; poll++) {
      state = readSunoFetchReply(await send(sunoPlatform.polling.buildRequest(channel(), ids)))[0]
      seen.push(`${state?.status}:${state?.progress}`)
    }
    expect(seen).toEqual(['SUBMITTED:10', 'SUBMITTED:20', 'IN_PROGRESS:50', 'SUCCESS:100'])
    expect(state?.result?.files?.map((file) => file.kind)).toEqual(['audio', 'video', 'image', 'image', 'audio', 'video', 'image', 'image'])
    const clip = (suno.tasks.get(outcome.upstreamTaskId)?.data as Array<Record<string, unknown>> | undefined)?.[0]
    expect(state?.result?.files?.[0]?.url).toBe(String(clip?.audio_url))
    const view: TaskView = {
      id: 'task_gw1',
      platform: 'suno',
      action: 'MUSIC',
      model: 'suno_music',
      status: 'SUCCESS',
      progress: 100,
      submitTime: 1_700_000_000_000,
      result: state?.result,
    }
    const rendered = renderSunoTask(view)
    expect(rendered).toMatchObject({ task_id: 'task_gw1', status: 'SUCCESS', progress: '100%', submit_time: 1_700_000_000 })
    const songs = rendered.data as Array<Record<string, unknown>>
    expect(songs).toHaveLength(2)
    expect(songs[0]).toMatchObject({
      id: clip?.id,
      status: 'complete',
      title: 'Song',
      model_name: 'chirp-v3-5',
      audio_url: clip?.audio_url,
      video_url: clip?.video_url,
    })
    expect(JSON.stringify(rendered)).not.toContain(outcome.upstreamTaskId)
  })

  test('a failed song carries Suno-API fail reason; lyrics carry their text', async () => {
    suno.setNextOutcome({ kind: 'error', message: 'lyrics contain artist names' })
    const failed = readSunoSubmitReply(await send(buildSunoSubmit(channel(), readSunoSubmission({ prompt: 'x' }, inbound('music')), undefined)))
    const lyrics = readSunoSubmitReply(await send(buildSunoSubmit(channel(), readSunoSubmission({ prompt: 'the sea' }, inbound('lyrics')), undefined)))
    if (!failed.accepted || !lyrics.accepted) throw new Error('refused')
    suno.finish(failed.upstreamTaskId)
    const states = readSunoFetchReply(await send(sunoPlatform.polling.buildRequest(channel(), [failed.upstreamTaskId, lyrics.upstreamTaskId])))
    expect(states[0]).toMatchObject({ status: 'FAILURE', failReason: 'lyrics contain artist names' })
    expect(states[1]).toMatchObject({ status: 'SUCCESS', result: { extra: { lyrics: { title: 'Fake Lyrics' } } } })
    const view: TaskView = {
      id: 'task_l',
      platform: 'suno',
      action: 'LYRICS',
      model: 'suno_lyrics',
      status: 'SUCCESS',
      progress: 100,
      submitTime: 0,
      result: states[1]?.result,
    }
    expect(renderSunoTask(view).data).toMatchObject({ id: 'task_l', status: 'complete', text: expect.stringContaining('the sea') })
  })

  test('refusals: a 400 is the client error, a 500 fails over; other answers are unusable', async () => {
    suno.failNextSubmit(400, 'prompt is empty')
    const refused = readSunoSubmitReply(await send(buildSunoSubmit(channel(), readSunoSubmission({ prompt: 'x' }, inbound('music')), undefined)))
    expect(refused).toMatchObject({ accepted: false, retryable: false, error: { status: 400, message: 'prompt is empty' } })
    suno.failNextSubmit(500, 'task failed')
    const broken = readSunoSubmitReply(await send(buildSunoSubmit(channel(), readSunoSubmission({ prompt: 'x' }, inbound('music')), undefined)))
    expect(broken).toMatchObject({ accepted: false, retryable: true, error: { status: 502 } })
    expect(() => readSunoSubmitReply({ status: 502, text: '<html>bad gateway</html>', json: undefined })).toThrow()
    expect(() => readSunoFetchReply({ status: 401, text: '{}', json: { code: 'invalid_request' } })).toThrow()
  })

  test('status mapping and the error shape', () => {
    expect(mapSunoStatus('UNKNOWN', undefined)).toEqual({ status: 'FAILURE', progress: 100 })
    expect(mapSunoStatus('IN_PROGRESS', 'boom')).toEqual({ status: 'FAILURE', progress: 100 })
    expect(renderSunoError(new GatewayError(400, 'invalid_request', 'bad'))).toEqual({
      status: 400,
      body: { code: 'invalid_request', message: 'bad', data: null },
    })
  })
})
