import { describe, expect, test } from 'bun:test'
import { GatewayError, taskPriceUsd, type ChannelContext, type TaskParent } from '@hanggent/plugin-sdk'
import { actionOfCustomId, buildMidjourneySubmit, readMidjourneySubmission } from './mj-submit.ts'
import { readMidjourneySubmitReply, readMidjourneyTask, renderMidjourneyError, renderMidjourneyTask } from './mj-task.ts'
import { midjourneyPrices } from './pricing.ts'

// The midjourney platform's pure parts: request reading, customId mapping, upstream requests, answers
// read and task objects rendered in Midjourney-Proxy's shapes, and prices per mode.

const channel: ChannelContext = {
  id: 1,
  type: 'midjourney',
  baseUrl: 'http://mj.test',
  key: 'Bearer secret',
  settings: {},
  config: { azureDefaultApiVersion: '' },
}
const reply = (json: unknown, status = 200) => ({ status, text: JSON.stringify(json), json })
const parent: TaskParent = {
  id: 'task_parent',
  upstreamTaskId: '1700',
  action: 'IMAGINE',
  status: 'SUCCESS',
  result: { extra: { buttons: [{ customId: 'MJ::JOB::upsample::1::abc', label: 'U1' }] } },
}

describe('midjourney platform', () => {
  test('customIds map to actions; an unknown one is a 400', () => {
    expect(actionOfCustomId('MJ::JOB::upsample::2::abc')).toBe('UPSCALE')
    expect(actionOfCustomId('MJ::JOB::low_variation::1::abc::SOLO')).toBe('LOW_VARIATION')
    expect(actionOfCustomId('MJ::JOB::variation::3::abc')).toBe('VARIATION')
    expect(actionOfCustomId('MJ::Outpaint::50::1::abc::SOLO')).toBe('ZOOM')
    expect(() => actionOfCustomId('MJ::JOB::nope')).toThrow(GatewayError)
  })

  test('submissions name the priced action and mode; simple-change reads "<id> U2"; bad images are refused', () => {
    expect(readMidjourneySubmission('imagine', 'relax', { prompt: 'fox', notifyHook: 'http://x' })).toMatchObject({
      action: 'IMAGINE',
      model: 'mj_imagine',
      mode: 'relax',
      prompt: 'fox',
      body: { prompt: 'fox' },
    })
    expect(readMidjourneySubmission('simple-change', undefined, { content: 'task_parent U2' })).toMatchObject({
      action: 'UPSCALE',
      parentTaskId: 'task_parent',
      body: { action: 'UPSCALE', index: 2, taskId: 'task_parent' },
    })
    expect(readMidjourneySubmission('action', undefined, { taskId: 't', customId: 'MJ::Inpaint::1::abc::SOLO' }).charged).toBe(false)
    expect(() => readMidjourneySubmission('blend', undefined, { base64Array: ['data:image/png;base64,AAAA'] })).toThrow('2 to 5 images')
    expect(() => readMidjourneySubmission('describe', undefined, { base64: 'data:image/png;base64,AAA' })).toThrow('base64')
  })

  test("follow-ups go upstream with the parent's upstream id and only with one of its buttons", () => {
    const submission = readMidjourneySubmission('action', undefined, { taskId: 'task_parent', customId: 'MJ::JOB::upsample::1::abc' })
    const request = buildMidjourneySubmit(channel, submission, parent)
    expect(request).toMatchObject({ url: 'http://mj.test/mj/submit/action', method: 'POST', headers: { 'mj-api-secret': 'secret' } })
    expect(JSON.parse(String(request.body))).toEqual({ taskId: '1700', customId: 'MJ::JOB::upsample::1::abc' })
    const foreign = readMidjourneySubmission('action', undefined, { taskId: 'task_parent', customId: 'MJ::JOB::upsample::1::other' })
    expect(() => buildMidjourneySubmit(channel, foreign, parent)).toThrow('not one of')
    expect(() => buildMidjourneySubmit(channel, submission, { ...parent, status: 'IN_PROGRESS' })).toThrow('has not succeeded')
  })

  test('submit codes: 1 and 22 accepted (22 noted), 23 retryable, 24 refused with its code', () => {
    expect(readMidjourneySubmitReply(reply({ code: 1, description: 'ok', result: '17' }), 'IMAGINE')).toMatchObject({ accepted: true, upstreamTaskId: '17' })
    expect(readMidjourneySubmitReply(reply({ code: 22, description: 'queued', result: '18' }), 'IMAGINE')).toMatchObject({
      accepted: true,
      note: { code: 22 },
    })
    expect(readMidjourneySubmitReply(reply({ code: 23, description: 'full' }), 'IMAGINE')).toMatchObject({ accepted: false, retryable: true })
    const banned = readMidjourneySubmitReply(reply({ code: 24, description: 'banned' }), 'IMAGINE')
    if (banned.accepted) throw new Error('expected a refusal')
    expect(banned.retryable).toBe(false)
    expect(renderMidjourneyError(banned.error)).toEqual({ status: 400, body: { code: 24, description: 'banned', result: null, properties: {} } })
  })

  test('upstream task objects map onto gateway states, and render back with the gateway id', () => {
    const state = readMidjourneyTask({ id: '17', status: 'IN_PROGRESS', progress: '45%', failReason: '', buttons: [] })
    expect(state).toMatchObject({ upstreamTaskId: '17', status: 'IN_PROGRESS', progress: 45 })
    expect(readMidjourneyTask({ id: '17', status: 'IN_PROGRESS', progress: '50%', failReason: 'timeout' }).status).toBe('FAILURE')
    const rendered = renderMidjourneyTask({
      id: 'task_x',
      platform: 'midjourney',
      action: 'IMAGINE',
      model: 'mj_imagine',
      status: 'SUCCESS',
      progress: 100,
      submitTime: 1,
      result: { files: [{ kind: 'image', url: 'https://gw/mj/image/task_x' }], extra: { buttons: [{ customId: 'a' }] } },
    })
    expect(rendered).toMatchObject({ id: 'task_x', progress: '100%', imageUrl: 'https://gw/mj/image/task_x', buttons: [{ customId: 'a' }], status: 'SUCCESS' })
  })

  test('prices: fast is the base, turbo twice, relax half', () => {
    const imagine = midjourneyPrices.mj_imagine!
    expect([undefined, 'fast', 'turbo', 'relax'].map((mode) => taskPriceUsd(imagine, mode ? { mode } : {}))).toEqual([0.1, 0.1, 0.2, 0.05])
  })
})
