import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { asc, eq, inArray } from 'drizzle-orm'
import { abilities, channels, logs } from '../../core/db/schema.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { ChannelView } from '../../schemas/admin/channels.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Channel tags (stored, filtered, counted) and batch actions over ids or a tag: one transaction,
// abilities in step (so routing follows at once), one audit row per channel.

interface Answer<T> {
  status: number
  body: T
}
interface Page {
  items: ChannelView[]
  total: number
}
/** A batch answer: the result, or an admin error. */
interface BatchAnswer {
  affected?: number
  ids?: number[]
  error?: AdminError['error']
}

for (const backend of testBackends) {
  describe(`channel tags and batch actions (${backend.name})`, () => {
    let gateway: TestGateway
    let fakeA: FakeOpenAI
    let fakeB: FakeOpenAI
    let relayKey: string
    const ids: Record<string, number> = {}

    async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const response = await gateway.adminResponse(method, path, body)
      const text = await response.text()
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
    }
    const batch = (body: Record<string, unknown>) => call<BatchAnswer>('POST', '/api/channels/batch', body)
    const abilityRows = async (channelIds: number[]) =>
      gateway.context.database.db
        .select()
        .from(abilities)
        .where(inArray(abilities.channelId, channelIds))
        .orderBy(asc(abilities.channelId), asc(abilities.group))
    const channelRow = async (id: number) => (await gateway.context.database.db.select().from(channels).where(eq(channels.id, id)))[0]
    const relay = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${relayKey}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      })

    beforeAll(async () => {
      fakeA = await startFakeOpenAI()
      fakeB = await startFakeOpenAI()
      gateway = await startGateway(backend)
      const base = { type: 'openai', models: ['gpt-4o-mini'], groups: ['default', 'vip'] }
      ids.eu1 = await gateway.createChannel({ ...base, name: 'eu-1', key: 'sk-eu-1-000000000', baseUrl: fakeA.url, tags: ['eu', 'prod', 'eu', '生产'] })
      ids.eu2 = await gateway.createChannel({ ...base, name: 'eu-2', key: 'sk-eu-2-000000000', baseUrl: fakeA.url, tags: ['eu'] })
      ids.us1 = await gateway.createChannel({ ...base, name: 'us-1', key: 'sk-us-1-000000000', baseUrl: fakeB.url, tags: ['us', 'prod'] })
      ids.plain = await gateway.createChannel({ ...base, name: 'plain', key: 'sk-plain-00000000', baseUrl: fakeB.url, models: ['other-model'] })
      relayKey = (await gateway.createToken({ name: 'batch', quota: 100_000_000 })).key
    })
    afterAll(async () => {
      await gateway.stop()
      await fakeA.stop()
      await fakeB.stop()
    })
    beforeEach(() => {
      fakeA.reset()
      fakeB.reset()
    })

    test('tags are stored without duplicates, filter the list and are counted', async () => {
      const eu1 = await call<ChannelView>('GET', `/api/channels/${ids.eu1}`)
      expect(eu1.body.tags).toEqual(['eu', 'prod', '生产'])
      expect((await channelRow(ids.eu1!))!.tags).toEqual(['eu', 'prod', '生产'])
      const prod = await call<Page>('GET', '/api/channels?tag=prod')
      expect(prod.body.items.map((channel) => channel.name)).toEqual(['us-1', 'eu-1'])
      const cjk = await call<Page>(`GET`, `/api/channels?tag=${encodeURIComponent('生产')}`)
      expect(cjk.body.items.map((channel) => channel.name)).toEqual(['eu-1'])
      expect((await call<Page>('GET', '/api/channels?tag=eu&q=2')).body.items.map((channel) => channel.name)).toEqual(['eu-2'])
      expect((await call<Page>('GET', '/api/channels?tag=nobody')).body.total).toBe(0)
      const counts = await call<Array<{ tag: string; count: number }>>('GET', '/api/channel-tags')
      expect(counts.status).toBe(200)
      expect(counts.body).toEqual([
        { tag: 'eu', count: 2 },
        { tag: 'prod', count: 2 },
        { tag: 'us', count: 1 },
        { tag: '生产', count: 1 },
      ])
      const retagged = await call<ChannelView>('PATCH', `/api/channels/${ids.plain}`, { tags: ['spare', 'spare'] })
      expect(retagged.body.tags).toEqual(['spare'])
    })

    test('bad tags are 400 naming the tag', async () => {
      const cases: Array<[string[], string]> = [
        [['has space'], 'tags.0'],
        [['ok', 'a/b'], 'tags.1'],
        [['x'.repeat(33)], 'tags.0'],
        [Array.from({ length: 21 }, (_, index) => `t${index}`), 'tags'],
      ]
      for (const [tags, field] of cases) {
        const answer = await call<AdminError>('PATCH', `/api/channels/${ids.plain}`, { tags })
        expect({ status: answer.status, field: answer.body.error!.field }).toEqual({ status: 400, field })
      }
    })

    test('disable by tag turns the abilities off and the relay stops using those channels; enable brings them back', async () => {
      const disabled = await batch({ action: 'disable', tag: 'eu' })
      expect(disabled.status).toBe(200)
      expect(disabled.body).toEqual({ affected: 2, ids: [ids.eu1!, ids.eu2!].sort((a, b) => a - b) })
      const rows = await abilityRows([ids.eu1!, ids.eu2!, ids.us1!])
      expect(rows.map((row) => `${row.channelId}/${row.group}/${row.enabled}`)).toEqual([
        `${ids.eu1}/default/false`,
        `${ids.eu1}/vip/false`,
        `${ids.eu2}/default/false`,
        `${ids.eu2}/vip/false`,
        `${ids.us1}/default/true`,
        `${ids.us1}/vip/true`,
      ])
      expect((await call<ChannelView>('GET', `/api/channels/${ids.eu2}`)).body).toMatchObject({ status: 'manually-disabled', statusReason: 'disabled by root' })
      for (let attempt = 0; attempt < 6; attempt += 1) expect((await relay()).status).toBe(200)
      expect([fakeA.requests.length, fakeB.requests.length]).toEqual([0, 6])

      const enabled = await batch({ action: 'enable', ids: [ids.eu1, ids.eu2] })
      expect(enabled.body.affected).toBe(2)
      expect((await abilityRows([ids.eu1!, ids.eu2!])).every((row) => row.enabled)).toBe(true)
      expect((await call<ChannelView>('GET', `/api/channels/${ids.eu1}`)).body).toMatchObject({ status: 'enabled', statusReason: null })
    })

    test('disabling every channel of a model leaves the relay without a channel', async () => {
      await batch({ action: 'disable', tag: 'prod' })
      await batch({ action: 'disable', ids: [ids.eu2] })
      const response = await relay()
      expect(response.status).toBe(503)
      expect([fakeA.requests.length, fakeB.requests.length]).toEqual([0, 0])
      await batch({ action: 'enable', tag: 'prod' })
      await batch({ action: 'enable', ids: [ids.eu2] })
      expect((await relay()).status).toBe(200)
    })

    test('set-priority and set-weight change channels and abilities; routing prefers the higher tier', async () => {
      const priority = await batch({ action: 'set-priority', tag: 'us', priority: 50 })
      expect(priority.body).toEqual({ affected: 1, ids: [ids.us1!] })
      const weight = await batch({ action: 'set-weight', ids: [ids.eu1, ids.eu2], weight: 7 })
      expect(weight.body.affected).toBe(2)
      const rows = await abilityRows([ids.eu1!, ids.eu2!, ids.us1!])
      expect(rows.map((row) => `${row.channelId}:${row.priority}/${row.weight}`)).toEqual([
        `${ids.eu1}:0/7`,
        `${ids.eu1}:0/7`,
        `${ids.eu2}:0/7`,
        `${ids.eu2}:0/7`,
        `${ids.us1}:50/1`,
        `${ids.us1}:50/1`,
      ])
      expect((await call<ChannelView>('GET', `/api/channels/${ids.us1}`)).body).toMatchObject({ priority: 50, weight: 1 })
      for (let attempt = 0; attempt < 4; attempt += 1) expect((await relay()).status).toBe(200)
      expect([fakeA.requests.length, fakeB.requests.length]).toEqual([0, 4])
      await batch({ action: 'set-priority', tag: 'us', priority: 0 })
    })

    test("add-tags and remove-tags keep each channel's other tags and order", async () => {
      const added = await batch({ action: 'add-tags', ids: [ids.eu2, ids.us1], tags: ['canary', 'eu'] })
      expect(added.body.affected).toBe(2)
      expect((await channelRow(ids.eu2!))!.tags).toEqual(['eu', 'canary'])
      expect((await channelRow(ids.us1!))!.tags).toEqual(['us', 'prod', 'canary', 'eu'])
      const removed = await batch({ action: 'remove-tags', tag: 'canary', tags: ['canary', 'prod'] })
      expect(removed.body).toEqual({ affected: 2, ids: [ids.eu2!, ids.us1!].sort((a, b) => a - b) })
      expect((await channelRow(ids.eu2!))!.tags).toEqual(['eu'])
      expect((await channelRow(ids.us1!))!.tags).toEqual(['us', 'eu'])
      await batch({ action: 'remove-tags', ids: [ids.us1], tags: ['eu'] })
      await batch({ action: 'add-tags', ids: [ids.us1], tags: ['prod'] })
      const tooMany = await batch({ action: 'add-tags', ids: [ids.eu2, ids.us1], tags: Array.from({ length: 19 }, (_, index) => `many-${index}`) })
      expect({ status: tooMany.status, field: tooMany.body.error!.field }).toEqual({ status: 400, field: 'tags' })
      expect(tooMany.body.error!.message).toContain(`channel ${ids.us1}`)
      // All or nothing: the first channel, which had room, was not changed either.
      expect((await channelRow(ids.eu2!))!.tags).toEqual(['eu'])
    })

    test('unknown ids are a 404 naming them, and nothing changes', async () => {
      const before = await channelRow(ids.eu1!)
      const answer = await batch({ action: 'disable', ids: [ids.eu1, 999_001, 999_002] })
      expect(answer.status).toBe(404)
      expect(answer.body.error).toMatchObject({ code: 'not_found', field: 'ids' })
      expect(answer.body.error!.message).toContain('999001, 999002')
      expect((await channelRow(ids.eu1!))!.status).toBe(before!.status)
      expect((await batch({ action: 'delete', tag: 'nobody-has-this' })).body).toEqual({ affected: 0, ids: [] })
    })

    test("the body must fit the action: ids or tag, and only the action's own argument", async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ action: 'enable' }, 'ids'],
        [{ action: 'enable', ids: [ids.eu1], tag: 'eu' }, 'ids'],
        [{ action: 'set-priority', ids: [ids.eu1] }, 'priority'],
        [{ action: 'set-weight', ids: [ids.eu1], weight: 1, priority: 2 }, 'priority'],
        [{ action: 'add-tags', ids: [ids.eu1] }, 'tags'],
        [{ action: 'enable', ids: [ids.eu1], tags: ['x'] }, 'tags'],
        [{ action: 'explode', ids: [ids.eu1] }, 'action'],
        [{ action: 'enable', ids: [] }, 'ids'],
        [{ action: 'enable', ids: Array.from({ length: 1001 }, (_, index) => index + 1) }, 'ids'],
        [{ action: 'enable', ids: [ids.eu1], force: true }, 'force'],
      ]
      for (const [body, field] of cases) {
        const answer = await batch(body)
        expect({ body, status: answer.status, field: answer.body.error?.field }).toEqual({ body, status: 400, field })
      }
    })

    test('delete removes the channels and their abilities; each channel gets one audit row', async () => {
      const doomed = await gateway.createChannel({ type: 'openai', name: 'doomed', key: 'sk-doomed-0000000', models: ['x', 'y'], tags: ['doomed'] })
      const alsoDoomed = await gateway.createChannel({ type: 'openai', name: 'also-doomed', key: 'sk-doomed-1111111', models: ['x'], tags: ['doomed'] })
      const removed = await batch({ action: 'delete', tag: 'doomed' })
      expect(removed.body).toEqual({ affected: 2, ids: [doomed, alsoDoomed] })
      expect(await abilityRows([doomed, alsoDoomed])).toEqual([])
      expect((await call('GET', `/api/channels/${doomed}`)).status).toBe(404)
      await gateway.context.logWriter.flush()
      const rows = await gateway.context.database.db.select().from(logs).where(eq(logs.type, 'manage')).orderBy(asc(logs.id))
      const batchRows = rows.filter((row) => row.content?.endsWith('(batch)'))
      expect(batchRows.filter((row) => row.content?.includes('deleted')).map((row) => row.channelId)).toEqual([doomed, alsoDoomed])
      expect(batchRows.find((row) => row.channelId === doomed)!.details).toMatchObject({ channelId: doomed, action: 'delete', selectedByTag: 'doomed' })
      const disables = batchRows.filter((row) => row.content?.includes('disabled'))
      expect(disables.length).toBeGreaterThanOrEqual(2)
      expect(batchRows.every((row) => row.username === 'root')).toBe(true)
    })
  })
}
