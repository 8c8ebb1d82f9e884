import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { pollTasksOnce } from '../../core/tasks/task-poller.ts'
import { startFakeSuno } from '../support/fake-suno.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Suno through the gateway with plain HTTP (issue 11 item 3): music → fetch until the clips complete
// (files downloaded through the gateway), lyrics, per-action charges to the unit (suno_music $0.10 =
// 50,000 units, suno_lyrics $0.01 = 5,000), a refund exactly once when Suno-API fails the song, and bad
// input or an upstream refusal answered in New API's Suno shape with nothing charged. The poller is
// driven by hand (pollTasksOnce), one Suno-API step per pass.

const suno = startFakeSuno({ key: 'suno-secret' })
let gateway: TestGateway
let key: string
let userId: number
const START_QUOTA = 10_000_000

beforeAll(async () => {
  gateway = await startGateway({}, { taskPollIntervalSeconds: 0.001 })
  await gateway.createChannel({ name: 'suno', type: 'suno', key: 'suno-secret', baseUrl: suno.url, models: ['suno_music', 'suno_lyrics'] })
  userId = await gateway.createUser({ username: 'composer', quota: START_QUOTA })
  key = (await gateway.createToken({ userId, unlimited: true })).key
}, 60_000)
afterAll(async () => {
  await gateway?.stop()
  await suno.stop()
})

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const quota = async () => (await gateway.balance(userId)).quota

/** Polls until the task has finished (at most `passes` poller passes). */
async function pollUntilDone(id: string, passes = 8): Promise<Record<string, unknown>> {
  for (let pass = 0; pass < passes; pass++) {
    await pollTasksOnce(gateway.services)
    const task = (await call('GET', `/suno/fetch/${id}`)).body.data as Record<string, unknown>
    if (task.status === 'SUCCESS' || task.status === 'FAILURE') return task
  }
  throw new Error(`task ${id} did not finish`)
}

describe('suno through the gateway', () => {
  test('music: submit charges 50,000 units, fetch shows the clips complete, their files come through the gateway', async () => {
    const before = await quota()
    const submitted = await call('POST', '/suno/submit/music', { prompt: '[Verse]\nla la', title: 'Sea Song', tags: 'folk', mv: 'chirp-v3-5' })
    expect(submitted.status).toBe(200)
    expect(submitted.body).toMatchObject({ code: 'success', message: '' })
    const id = String(submitted.body.data)
    const upstreamId = [...suno.tasks.keys()].at(-1) ?? ''
    expect(id).not.toBe(upstreamId)
    expect(before - (await quota())).toBe(50_000)
    expect(suno.requests.at(-1)).toMatchObject({ path: '/suno/submit/music', headers: { authorization: 'Bearer suno-secret' } })

    const task = await pollUntilDone(id)
    expect(task).toMatchObject({ task_id: id, action: 'MUSIC', status: 'SUCCESS', progress: '100%', fail_reason: '' })
    const songs = task.data as Array<Record<string, unknown>>
    expect(songs).toHaveLength(2)
    const upstreamClips = suno.tasks.get(upstreamId)?.data as Array<Record<string, unknown>>
    expect(songs.map((song) => song.id)).toEqual(upstreamClips.map((clip) => clip.id))
    expect(songs[0]).toMatchObject({ status: 'complete', title: 'Sea Song', model_name: 'chirp-v3-5' })
    const audioUrl = String(songs[1]?.audio_url)
    expect(audioUrl.startsWith(gateway.url)).toBe(true)
    expect(JSON.stringify(task)).not.toContain(suno.url)
    expect(JSON.stringify(task)).not.toContain(upstreamId)
    const audio = await fetch(audioUrl, { headers: { authorization: `Bearer ${key}` } })
    expect(audio.status).toBe(200)
    expect(new Uint8Array(await audio.arrayBuffer())).toEqual(suno.fileBytes(String(upstreamClips[1]?.id), 'mp3'))

    const batch = await call('POST', '/suno/fetch', { ids: [id, 'task_doesnotexist'], action: '' })
    expect(batch.body.code).toBe('success')
    expect((batch.body.data as Array<Record<string, unknown>>).map((row) => row.task_id)).toEqual([id])
    expect(before - (await quota())).toBe(50_000)
  }, 30_000)

  test('lyrics: 5,000 units and the text', async () => {
    const before = await quota()
    const submitted = await call('POST', '/suno/submit/lyrics', { prompt: 'a song about the sea' })
    expect(submitted.status).toBe(200)
    const task = await pollUntilDone(String(submitted.body.data))
    expect(task).toMatchObject({ action: 'LYRICS', status: 'SUCCESS', data: { status: 'complete', text: expect.stringContaining('a song about the sea') } })
    expect(before - (await quota())).toBe(5_000)
  }, 30_000)

  test('a song Suno-API fails is refunded in full, once', async () => {
    const before = await quota()
    suno.setNextOutcome({ kind: 'error', message: 'Unable to generate: artist names in lyrics' })
    const submitted = await call('POST', '/suno/submit/music', { gpt_description_prompt: 'a song like a famous artist' })
    expect(before - (await quota())).toBe(50_000)
    const task = await pollUntilDone(String(submitted.body.data))
    expect(task).toMatchObject({ status: 'FAILURE', fail_reason: 'Unable to generate: artist names in lyrics' })
    expect(await quota()).toBe(before)
    await pollTasksOnce(gateway.services)
    await pollTasksOnce(gateway.services)
    expect(await quota()).toBe(before)
  }, 30_000)

  test('bad input, an unknown task and an upstream refusal: New API Suno errors, nothing charged', async () => {
    const before = await quota()
    const requests = suno.requests.length
    const unknownAction = await call('POST', '/suno/submit/video', { prompt: 'x' })
    expect(unknownAction.status).toBe(400)
    expect(unknownAction.body).toMatchObject({ code: 'invalid_request', data: null, message: expect.stringContaining('unknown Suno action') })
    const noPrompt = await call('POST', '/suno/submit/music', { tags: 'pop' })
    expect(noPrompt).toMatchObject({ status: 400, body: { code: 'missing_required_parameter', data: null } })
    const noLyricsPrompt = await call('POST', '/suno/submit/lyrics', {})
    expect(noLyricsPrompt.status).toBe(400)
    const badType = await call('POST', '/suno/submit/music', { prompt: 'x', make_instrumental: 'yes' })
    expect(badType).toMatchObject({ status: 400, body: { code: 'invalid_request', message: expect.stringContaining('make_instrumental') } })
    expect(suno.requests.length).toBe(requests)
    const unknownTask = await call('GET', '/suno/fetch/task_doesnotexist')
    expect(unknownTask).toMatchObject({ status: 404, body: { code: 'not_found', data: null } })
    suno.failNextSubmit(400, 'prompt contains banned words')
    const refused = await call('POST', '/suno/submit/music', { prompt: 'banned' })
    expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_request', message: 'prompt contains banned words', data: null } })
    expect(await quota()).toBe(before)
  }, 30_000)
})
