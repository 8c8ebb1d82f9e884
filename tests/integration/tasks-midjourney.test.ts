import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { pollTasksOnce } from '../../core/tasks/task-poller.ts'
import { refundTask } from '../../core/tasks/task-refund.ts'
import { startFakeMidjourney } from '../support/fake-midjourney.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Midjourney through the gateway with plain HTTP (issue 11 items 2, 5–8): imagine → poll to SUCCESS →
// upscale with a customId → fetch; describe; charges per action and mode to the unit (mj_imagine $0.10 =
// 50,000 units; turbo twice, relax half; mj_upscale and mj_describe $0.05 = 25,000); a FAILURE refunded
// exactly once; a task past TASK_TIMEOUT_MINUTES failed and refunded; isolation between users (404);
// bad input answered in Midjourney-Proxy's shape with nothing charged. The poller is driven by hand.

const mj = startFakeMidjourney('mj-secret')
let gateway: TestGateway
let alice: { userId: number; key: string; tokenId: number }
let bob: { userId: number; key: string; tokenId: number }
const START = 10_000_000
const MODELS = ['mj_imagine', 'mj_upscale', 'mj_variation', 'mj_reroll', 'mj_describe', 'mj_blend', 'mj_upload', 'mj_modal', 'mj_shorten']

beforeAll(async () => {
  gateway = await startGateway({}, { taskPollIntervalSeconds: 0.001, taskTimeoutMinutes: 60 })
  await gateway.createChannel({ name: 'mj-proxy', type: 'midjourney', key: 'mj-secret', baseUrl: mj.url, models: MODELS })
  const user = async (username: string) => {
    const userId = await gateway.createUser({ username, quota: START })
    const token = await gateway.createToken({ userId, quota: START })
    return { userId, key: token.key, tokenId: token.id }
  }
  alice = await user('alice-mj')
  bob = await user('bob-mj')
}, 60_000)
afterAll(async () => {
  await gateway?.stop()
  mj.stop()
})

type Answer = { status: number; body: Record<string, unknown> & Array<Record<string, unknown>> }
const call = async (who: { key: string }, method: string, path: string, body?: unknown, raw?: string): Promise<Answer> => {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { 'mj-api-secret': who.key, ...(body === undefined && raw === undefined ? {} : { 'content-type': 'application/json' }) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  })
  return { status: response.status, body: (await response.json()) as Answer['body'] }
}
const quota = async (who: { userId: number }) => (await gateway.balance(who.userId)).quota
const lastUpstreamId = () => [...mj.tasks.keys()].at(-1) ?? ''

/** Polls until the task finished (each pass moves the fake one step). */
async function pollUntilDone(who: { key: string }, id: string, passes = 8): Promise<Record<string, unknown>> {
  for (let pass = 0; pass < passes; pass++) {
    await pollTasksOnce(gateway.services)
    const task = (await call(who, 'GET', `/mj/task/${id}/fetch`)).body
    if (task.status === 'SUCCESS' || task.status === 'FAILURE') return task
  }
  throw new Error(`task ${id} did not finish`)
}

describe('midjourney through the gateway', () => {
  test('imagine → poll to SUCCESS → upscale with a customId → fetch; each submit charges its price once', async () => {
    const before = await quota(alice)
    const submitted = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'a red fox in the snow --v 6', notifyHook: 'http://evil.example/hook' })
    expect(submitted.status).toBe(200)
    expect(submitted.body).toMatchObject({ code: 1, description: '提交成功' })
    const id = String(submitted.body.result)
    expect(id).toMatch(/^task_[A-Za-z0-9]{32}$/)
    expect(id).not.toBe(lastUpstreamId())
    expect(mj.requests.at(-1)).toMatchObject({ path: '/mj/submit/imagine', secret: 'mj-secret', body: { prompt: 'a red fox in the snow --v 6' } })
    expect(mj.requests.at(-1)?.body?.notifyHook).toBeUndefined()
    expect(before - (await quota(alice))).toBe(50_000)

    await pollTasksOnce(gateway.services)
    const running = (await call(alice, 'GET', `/mj/task/${id}/fetch`)).body
    expect(running).toMatchObject({ id, action: 'IMAGINE', status: 'IN_PROGRESS', progress: '25%' })
    const done = await pollUntilDone(alice, id)
    expect(done).toMatchObject({ id, action: 'IMAGINE', status: 'SUCCESS', progress: '100%', prompt: 'a red fox in the snow --v 6', failReason: '' })
    expect(done.imageUrl).toBe(`${gateway.url}/mj/image/${id}`)
    expect(JSON.stringify(done)).not.toContain(mj.url)
    const image = await fetch(String(done.imageUrl))
    expect(image.status).toBe(200)
    expect(image.headers.get('content-type')).toBe('image/png')
    expect([...new Uint8Array(await image.arrayBuffer())]).toEqual([...mj.imageBytes])

    const buttons = done.buttons as Array<{ customId: string; label: string }>
    expect(buttons.map((button) => button.label)).toContain('U1')
    const u1 = buttons.find((button) => button.label === 'U1')!.customId
    const upscale = await call(alice, 'POST', '/mj/submit/action', { taskId: id, customId: u1 })
    expect(upscale.status).toBe(200)
    expect(upscale.body.code).toBe(1)
    const upscaleId = String(upscale.body.result)
    // The upstream got its own id for the parent, never the gateway's.
    const parentUpstreamId = [...mj.tasks.values()].find((task) => task.prompt === 'a red fox in the snow --v 6')?.id
    expect(mj.requests.at(-1)).toMatchObject({ path: '/mj/submit/action', body: { taskId: parentUpstreamId, customId: u1 } })
    expect(before - (await quota(alice))).toBe(75_000)
    const upscaled = await pollUntilDone(alice, upscaleId)
    expect(upscaled).toMatchObject({ id: upscaleId, action: 'UPSCALE', status: 'SUCCESS' })

    const listed = await call(alice, 'POST', '/mj/task/list-by-condition', { ids: [id, upscaleId, 'task_unknown'] })
    expect(listed.body.map((task) => task.id)).toEqual([id, upscaleId])
    const seed = await call(alice, 'GET', `/mj/task/${id}/image-seed`)
    expect(seed.body).toMatchObject({ code: 1, result: '2048613325' })
    expect(before - (await quota(alice))).toBe(75_000)
    const consume = (await gateway.logs({ type: 'consume' })).filter((row) => row.userId === alice.userId)
    expect(consume.map((row) => [row.model, row.quota])).toEqual(
      expect.arrayContaining([
        ['mj_imagine', 50_000],
        ['mj_upscale', 25_000],
      ]),
    )
  }, 30_000)

  test('describe is charged 25,000 units and returns the described prompts; turbo and relax prefixes charge 100,000 and 25,000', async () => {
    const before = await quota(alice)
    const image = `data:image/png;base64,${Buffer.from(mj.imageBytes).toString('base64')}`
    const described = await call(alice, 'POST', '/mj/submit/describe', { base64: image })
    expect(described.status).toBe(200)
    expect(before - (await quota(alice))).toBe(25_000)
    const task = await pollUntilDone(alice, String(described.body.result))
    expect(task).toMatchObject({ action: 'DESCRIBE', status: 'SUCCESS' })
    expect(String((task.properties as Record<string, unknown>).finalPrompt)).toContain('a red fox in the snow')

    const turbo = await call(alice, 'POST', '/mj-turbo/mj/submit/imagine', { prompt: 'fast fox' })
    expect(turbo.status).toBe(200)
    expect(before - (await quota(alice))).toBe(125_000)
    const relax = await call(alice, 'POST', '/mj-relax/mj/submit/imagine', { prompt: 'slow fox' })
    expect(relax.status).toBe(200)
    expect(before - (await quota(alice))).toBe(150_000)
    expect((await call(alice, 'GET', `/mj/task/${relax.body.result}/fetch`)).body.mode).toBe('relax')
  }, 30_000)

  test('an upstream FAILURE refunds the charge exactly once, user and key alike, with a refund log row naming the task', async () => {
    const before = await quota(alice)
    const keyBefore = (await gateway.tokenBalance(alice.tokenId)).remainQuota
    mj.nextOutcome = { kind: 'failure', reason: 'Banned prompt detected by the moderator' }
    const submitted = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'doomed fox' })
    mj.nextOutcome = { kind: 'success' }
    const id = String(submitted.body.result)
    expect(before - (await quota(alice))).toBe(50_000)
    const task = await pollUntilDone(alice, id)
    expect(task).toMatchObject({ status: 'FAILURE', progress: '100%', failReason: 'Banned prompt detected by the moderator' })
    await pollTasksOnce(gateway.services)
    await pollTasksOnce(gateway.services)
    expect(await quota(alice)).toBe(before)
    expect((await gateway.tokenBalance(alice.tokenId)).remainQuota).toBe(keyBefore)
    const refunds = (await gateway.logs({ type: 'refund' })).filter((row) => (row.details as Record<string, unknown>)?.taskId === id)
    expect(refunds).toHaveLength(1)
    expect(refunds[0]?.quota).toBe(50_000)
    // Two more refunds racing (a second poller, a retry) find it refunded and change nothing.
    const again = await Promise.all([1, 2].map(() => refundTask(gateway.context, gateway.services.ledger, { id }, 'again')))
    expect(again).toEqual([{ refunded: false }, { refunded: false }])
    expect(await quota(alice)).toBe(before)
    expect((await gateway.logs({ type: 'refund' })).filter((row) => (row.details as Record<string, unknown>)?.taskId === id)).toHaveLength(1)
  }, 30_000)

  test('a task stuck past the timeout is failed and refunded', async () => {
    const before = await quota(alice)
    const submitted = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'stuck fox' })
    const id = String(submitted.body.result)
    mj.tasks.get(lastUpstreamId())!.frozen = true
    await pollTasksOnce(gateway.services)
    expect(before - (await quota(alice))).toBe(50_000)
    const realNow = gateway.context.now
    gateway.context.now = () => new Date(realNow().getTime() + 61 * 60_000)
    try {
      const summary = await pollTasksOnce(gateway.services)
      expect(summary.timedOut).toBeGreaterThanOrEqual(1)
    } finally {
      gateway.context.now = realNow
    }
    const task = (await call(alice, 'GET', `/mj/task/${id}/fetch`)).body
    expect(task).toMatchObject({ status: 'FAILURE', failReason: 'the task did not finish within 60 minutes' })
    expect(await quota(alice)).toBe(before)
  }, 30_000)

  test("isolation: another user's key gets 404 for fetch, image-seed and follow-ups, and list-by-condition leaves the task out", async () => {
    const submitted = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'private fox' })
    const id = String(submitted.body.result)
    const done = await pollUntilDone(alice, id)
    const bobBefore = await quota(bob)
    const fetched = await call(bob, 'GET', `/mj/task/${id}/fetch`)
    expect(fetched.status).toBe(404)
    expect(fetched.body).toMatchObject({ code: 3, result: null })
    expect((await call(bob, 'GET', `/mj/task/${id}/image-seed`)).status).toBe(404)
    expect((await call(bob, 'POST', '/mj/task/list-by-condition', { ids: [id] })).body).toHaveLength(0)
    const customId = (done.buttons as Array<{ customId: string }>)[0]!.customId
    const stolen = await call(bob, 'POST', '/mj/submit/action', { taskId: id, customId })
    expect(stolen.status).toBe(404)
    expect(stolen.body).toMatchObject({ code: 3 })
    expect(await quota(bob)).toBe(bobBefore)
  }, 30_000)

  test('bad input is a 4xx in Midjourney-Proxy shape and charges nothing', async () => {
    const before = await quota(alice)
    const submitted = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'button source' })
    const parent = await pollUntilDone(alice, String(submitted.body.result))
    const charged = await quota(alice)
    expect(before - charged).toBe(50_000)
    const otherTask = [...mj.tasks.values()].find((task) => task.prompt === 'private fox')
    const cases: Array<[string, unknown, number, number, string]> = [
      ['/mj/submit/imagine', {}, 400, 4, 'prompt is required'],
      ['/mj/submit/imagine', { prompt: 'x', base64Array: ['data:image/png;base64,@@@'] }, 400, 4, 'base64Array[0]'],
      ['/mj/submit/describe', { base64: 'not-an-image' }, 400, 4, 'base64'],
      ['/mj/submit/change', { taskId: parent.id, action: 'ZOOMIFY', index: 1 }, 400, 4, 'ZOOMIFY'],
      ['/mj/submit/action', { taskId: parent.id, customId: 'MJ::JOB::explode::1::abc' }, 400, 4, 'customId'],
      ['/mj/submit/action', { taskId: parent.id, customId: String(otherTask?.buttons[0]?.customId) }, 400, 4, 'not one of'],
      ['/mj/submit/action', { taskId: 'task_doesnotexist000000000000000000', customId: 'MJ::JOB::upsample::1::abc' }, 404, 3, 'does not exist'],
    ]
    for (const [path, body, status, code, message] of cases) {
      const answer = await call(alice, 'POST', path, body)
      expect([path, answer.status, answer.body.code]).toEqual([path, status, code])
      expect(String(answer.body.description)).toContain(message)
    }
    const malformed = await call(alice, 'POST', '/mj/submit/imagine', undefined, '{"prompt": ')
    expect(malformed.status).toBe(400)
    expect(malformed.body.code).toBe(4)
    const oversized = await call(alice, 'POST', '/mj/submit/blend', undefined, JSON.stringify({ base64Array: ['x'.repeat(9 * 1024 * 1024)] }))
    expect(oversized.status).toBe(413)
    expect(oversized.body.code).toBe(4)
    expect((await call(alice, 'GET', '/mj/task/task_unknown/fetch')).status).toBe(404)
    expect((await call({ key: 'sk-wrong' }, 'POST', '/mj/submit/imagine', { prompt: 'x' })).status).toBe(401)
    // An upstream refusal (code 24, banned prompt) reaches the client with its code; nothing is charged.
    mj.refuseNext(24, 'Banned prompt: fox')
    const banned = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'fox' })
    expect(banned.status).toBe(400)
    expect(banned.body).toMatchObject({ code: 24, description: 'Banned prompt: fox' })
    expect(await quota(alice)).toBe(charged)
  }, 30_000)

  test('admin API: admins list every task with channel and upstream id; a user sees only their own, without either; files open with the session', async () => {
    const submitted = await call(bob, 'POST', '/mj/submit/imagine', { prompt: 'bob fox' })
    const id = String(submitted.body.result)
    await pollUntilDone(bob, id)
    const upstreamId = [...mj.tasks.values()].find((task) => task.prompt === 'bob fox')?.id
    const asAdmin = await gateway.admin<{ items: Array<Record<string, unknown>>; total: number }>('GET', `/api/tasks?platform=midjourney&userId=${bob.userId}`)
    expect(asAdmin.total).toBe(1)
    expect(asAdmin.items[0]).toMatchObject({ id, userId: bob.userId, username: 'bob-mj', status: 'SUCCESS', progress: 100, quota: 50_000, refunded: false })
    expect(asAdmin.items[0]).toMatchObject({ channelName: 'mj-proxy', upstreamTaskId: upstreamId })
    const failed = await gateway.admin<{ items: Array<Record<string, unknown>> }>('GET', '/api/tasks?status=FAILURE&action=IMAGINE')
    expect(failed.items.some((task) => task.failReason === 'Banned prompt detected by the moderator' && task.refunded === true)).toBe(true)

    const login = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob-mj', password: 'password-123' }),
    })
    const session = ((await login.json()) as { accessToken: string }).accessToken
    const asBob = async (path: string) => fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${session}` } })
    const mine = (await (await asBob('/api/tasks')).json()) as { items: Array<Record<string, unknown>>; total: number }
    expect(mine.items.map((task) => task.id)).toEqual([id])
    expect(mine.items[0]).toMatchObject({ channelId: null, channelName: null, upstreamTaskId: null })
    expect(JSON.stringify(mine)).not.toContain(String(upstreamId))
    // Another user's task answers 404, even when asked for by id or through the userId filter.
    const aliceTask = (await gateway.admin<{ items: Array<{ id: string }> }>('GET', `/api/tasks?userId=${alice.userId}`)).items[0]!.id
    expect((await asBob(`/api/tasks/${aliceTask}`)).status).toBe(404)
    expect(((await (await asBob(`/api/tasks?userId=${alice.userId}`)).json()) as { total: number }).total).toBe(1)
    const files = mine.items[0]!.files as Array<{ url: string }>
    const file = await asBob(files[0]!.url)
    expect(file.status).toBe(200)
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([...mj.imageBytes])
  }, 30_000)

  test('action prices show on the model catalog as list prices and an admin override for the name is what is charged', async () => {
    const catalog = await gateway.admin<{ items: Array<{ model: string; listPrice: Record<string, unknown> | null }> }>('GET', '/api/models?q=mj_')
    const imagine = catalog.items.find((model) => model.model === 'mj_imagine')
    expect(imagine?.listPrice).toMatchObject({ perCall: 0.1 })
    expect(catalog.items.find((model) => model.model === 'mj_describe')?.listPrice).toMatchObject({ perCall: 0.05 })
    await gateway.admin('PUT', '/api/models/price', { model: 'mj_imagine', price: { perCall: 0.08 } })
    try {
      const before = await quota(alice)
      expect((await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'discounted fox' })).status).toBe(200)
      expect(before - (await quota(alice))).toBe(40_000)
    } finally {
      await gateway.admin('DELETE', '/api/models/price?model=mj_imagine')
    }
  }, 30_000)

  test('TASK_PROXY_RESULTS=false links the upstream image as it is; with proxying on, no upstream id or host reaches the client', async () => {
    const submitted = await call(alice, 'POST', '/mj/submit/imagine', { prompt: 'linked fox' })
    const id = String(submitted.body.result)
    const proxied = await pollUntilDone(alice, id)
    const upstream = [...mj.tasks.values()].find((task) => task.prompt === 'linked fox')!
    expect(JSON.stringify(proxied)).not.toContain(upstream.id)
    expect(JSON.stringify(proxied)).not.toContain(mj.url)
    const config = gateway.context.config as { taskProxyResults: boolean }
    config.taskProxyResults = false
    try {
      expect((await call(alice, 'GET', `/mj/task/${id}/fetch`)).body.imageUrl).toBe(upstream.imageUrl)
    } finally {
      config.taskProxyResults = true
    }
  }, 30_000)
})
