import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { startFakeSuno } from './fake-suno.ts'

// The fake Suno-API answers in Suno-API's envelope and walks a music task through its lifecycle.

const suno = startFakeSuno({ key: 'suno-secret' })
afterAll(() => suno.stop())
beforeEach(() => suno.reset())

const call = (method: string, path: string, body?: unknown, key = 'suno-secret') =>
  fetch(`${suno.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

describe('fake Suno-API', () => {
  test('music: submitted → queued → in progress → success with two complete clips whose files it serves', async () => {
    const submitted = (await (await call('POST', '/suno/submit/music', { prompt: 'la la', title: 'Song', tags: 'pop', mv: 'chirp-v3-5' })).json()) as {
      code: string
      data: string
    }
    expect(submitted.code).toBe('success')
    const statuses: string[] = []
    let row: { status: string; data: Array<Record<string, unknown>> } | undefined
    for (let poll = 0; poll < 5; poll++) {
      const answer = (await (await call('POST', '/suno/fetch', { ids: [submitted.data] })).json()) as { data: Array<typeof row> }
      row = answer.data[0]
      statuses.push(String(row?.status))
    }
    expect(statuses).toEqual(['SUBMITTED', 'QUEUED', 'IN_PROGRESS', 'SUCCESS', 'SUCCESS'])
    expect(row?.data).toHaveLength(2)
    const clip = row?.data[0] as Record<string, unknown>
    expect(clip.status).toBe('complete')
    expect(clip.model_name).toBe('chirp-v3-5')
    const audio = await fetch(String(clip.audio_url))
    expect(audio.headers.get('content-type')).toBe('audio/mpeg')
    expect(new Uint8Array(await audio.arrayBuffer())).toEqual(suno.fileBytes(String(clip.id), 'mp3'))
  })

  test('a failing music task ends FAILURE with the clip error as fail_reason', async () => {
    suno.setNextOutcome({ kind: 'error', message: 'Unable to generate: lyrics contain artist names' })
    const { data: id } = (await (await call('POST', '/suno/submit/music', { gpt_description_prompt: 'a song' })).json()) as { data: string }
    suno.finish(id)
    const one = (await (await call('GET', `/suno/fetch/${id}`)).json()) as { data: Array<{ status: string; metadata: { error_message: string } }> }
    expect(one.data[0]?.status).toBe('error')
    const many = (await (await call('POST', '/suno/fetch', { ids: [id] })).json()) as { data: Array<{ status: string; fail_reason: string }> }
    expect(many.data[0]).toMatchObject({ status: 'FAILURE', fail_reason: 'Unable to generate: lyrics contain artist names' })
  })

  test('lyrics complete at once; bad input, bad key and injected failures answer Suno-API errors', async () => {
    const { data: id } = (await (await call('POST', '/suno/submit/lyrics', { prompt: 'the sea' })).json()) as { data: string }
    const lyrics = (await (await call('POST', '/suno/fetch', { ids: [id] })).json()) as { data: Array<{ status: string; data: { text: string } }> }
    expect(lyrics.data[0]?.status).toBe('SUCCESS')
    expect(lyrics.data[0]?.data.text).toContain('the sea')
    const empty = await call('POST', '/suno/submit/lyrics', {})
    expect(empty.status).toBe(400)
    expect(await empty.json()).toEqual({ code: 'invalid_request', message: 'prompt is empty', data: null })
    expect((await call('POST', '/suno/submit/music', { prompt: 'x' }, 'wrong')).status).toBe(401)
    suno.failNextSubmit(500, 'task failed')
    const failed = await call('POST', '/suno/submit/music', { prompt: 'x' })
    expect(failed.status).toBe(500)
    expect(((await failed.json()) as { code: string }).code).toBe('internal_error')
  })
})
