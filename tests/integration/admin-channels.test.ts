import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { asc, count, eq } from 'drizzle-orm'
import { apiRoutes } from '../../core/api-routes.ts'
import { ensureRootUser } from '../../core/bootstrap.ts'
import { abilities, channels, logs, users } from '../../core/db/schema.ts'
import type { AppContext } from '../../core/app-context.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { ChannelView } from '../../schemas/admin/channels.ts'
import { closeContext, createTestContext, testBackends } from '../support/context.ts'

type App = ReturnType<typeof adminApp>
interface Answer<T> {
  status: number
  text: string
  body: T
}
interface ChannelPage {
  items: ChannelView[]
  total: number
  page: number
  pageSize: number
}

function adminApp(context: AppContext) {
  return new Elysia().use(apiRoutes(context))
}

const KEY_ONE = 'sk-live-FirstSecretKey0123456789abcdefXYZ'
const KEY_TWO = 'sk-live-SecondSecretKey9876543210fedcbaQRS'

for (const backend of testBackends) {
  describe(`admin channels (${backend.name})`, () => {
    let context: AppContext
    let app: App
    const bodies: string[] = []
    let channelEvents = 0

    /** Calls the admin API as root, remembering every response body for the key-leak check. */
    async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const headers: Record<string, string> = { authorization: `Bearer ${context.config.rootAccessToken}` }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const response = await app.handle(new Request(`http://local${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }))
      const text = await response.text()
      bodies.push(text)
      return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T }
    }

    async function abilityRows(channelId: number) {
      return context.database.db.select().from(abilities).where(eq(abilities.channelId, channelId)).orderBy(asc(abilities.group), asc(abilities.model))
    }

    beforeAll(async () => {
      context = await createTestContext(backend)
      await ensureRootUser(context)
      app = adminApp(context)
      context.bus.subscribe('channels', () => {
        channelEvents += 1
      })
    })
    afterAll(async () => {
      await closeContext(context)
    })

    test('create seals the keys, shows only previews and writes groups × models abilities', async () => {
      const eventsBefore = channelEvents
      const created = await call<ChannelView>('POST', '/api/channels', {
        name: 'primary',
        type: 'openai',
        key: `${KEY_ONE}\n${KEY_TWO}\n`,
        models: ['gpt-4o', 'gpt-4o-mini'],
        groups: ['default', 'vip'],
        priority: 5,
        weight: 3,
        modelMapping: { 'gpt-4o': 'gpt-4o-2024-11-20' },
        settings: { organization: 'org-123' },
      })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({
        name: 'primary',
        type: 'openai',
        keyCount: 2,
        keys: ['sk-…fXYZ', 'sk-…aQRS'],
        baseUrl: null,
        groups: ['default', 'vip'],
        models: ['gpt-4o', 'gpt-4o-mini'],
        priority: 5,
        weight: 3,
        status: 'enabled',
        settings: { organization: 'org-123' },
        modelMapping: { 'gpt-4o': 'gpt-4o-2024-11-20' },
      })
      expect(channelEvents).toBe(eventsBefore + 1)
      const [row] = await context.database.db.select().from(channels).where(eq(channels.id, created.body.id))
      expect(row!.keysEncrypted).not.toContain(KEY_ONE)
      expect(row!.keysEncrypted).not.toContain('FirstSecretKey')
      expect(row!.keysEncrypted.startsWith('v1.')).toBe(true)
      expect(JSON.parse(context.secretBox.open(row!.keysEncrypted))).toEqual([KEY_ONE, KEY_TWO])
      const rows = await abilityRows(created.body.id)
      expect(rows.map((ability) => `${ability.group}/${ability.model}/${ability.priority}/${ability.weight}/${ability.enabled}`)).toEqual([
        'default/gpt-4o/5/3/true',
        'default/gpt-4o-mini/5/3/true',
        'vip/gpt-4o/5/3/true',
        'vip/gpt-4o-mini/5/3/true',
      ])
    })

    test('get and list never show a key; list filters by type, status and name', async () => {
      await call('POST', '/api/channels', {
        name: 'backup-compatible',
        type: 'openai-compatible',
        key: KEY_TWO,
        baseUrl: 'https://llm.example.com/v1',
        models: ['llama-3'],
      })
      await call('POST', '/api/channels', { name: 'off', type: 'openai', key: 'sk-off-0000000000', models: ['gpt-4o'], status: 'manually-disabled' })
      const all = await call<ChannelPage>('GET', '/api/channels')
      expect(all.status).toBe(200)
      expect(all.body.total).toBe(3)
      expect(all.body.items.map((channel) => channel.name)).toEqual(['off', 'backup-compatible', 'primary'])
      expect(all.body.page).toBe(1)
      expect(all.body.pageSize).toBe(20)
      const byType = await call<ChannelPage>('GET', '/api/channels?type=openai-compatible')
      expect(byType.body.items.map((channel) => channel.name)).toEqual(['backup-compatible'])
      const disabled = await call<ChannelPage>('GET', '/api/channels?status=manually-disabled')
      expect(disabled.body.items.map((channel) => channel.name)).toEqual(['off'])
      const search = await call<ChannelPage>('GET', '/api/channels?q=PRIM')
      expect(search.body.items.map((channel) => channel.name)).toEqual(['primary'])
      const literalPercent = await call<ChannelPage>('GET', `/api/channels?q=${encodeURIComponent('%')}`)
      expect(literalPercent.body.total).toBe(0)
      const paged = await call<ChannelPage>('GET', '/api/channels?page=2&pageSize=2')
      expect(paged.body).toMatchObject({ total: 3, page: 2, pageSize: 2 })
      expect(paged.body.items.map((channel) => channel.name)).toEqual(['primary'])
      const one = await call<ChannelView>('GET', `/api/channels/${all.body.items[2]!.id}`)
      expect(one.body.keys).toEqual(['sk-…fXYZ', 'sk-…aQRS'])
      const offAbilities = await abilityRows(all.body.items[0]!.id)
      expect(offAbilities.map((ability) => ability.enabled)).toEqual([false])
    })

    test('update rewrites abilities, replaces keys, and disabling turns abilities off', async () => {
      const [primary] = (await call<ChannelPage>('GET', '/api/channels?q=primary')).body.items
      const eventsBefore = channelEvents
      const updated = await call<ChannelView>('PATCH', `/api/channels/${primary!.id}`, {
        models: ['o3'],
        groups: ['team-a'],
        priority: 9,
        status: 'manually-disabled',
      })
      expect(updated.status).toBe(200)
      expect(updated.body).toMatchObject({
        models: ['o3'],
        groups: ['team-a'],
        priority: 9,
        weight: 3,
        status: 'manually-disabled',
        statusReason: 'disabled by root',
        keyCount: 2,
      })
      expect(channelEvents).toBe(eventsBefore + 1)
      expect((await abilityRows(primary!.id)).map((ability) => `${ability.group}/${ability.model}/${ability.priority}/${ability.enabled}`)).toEqual([
        'team-a/o3/9/false',
      ])
      const rekeyed = await call<ChannelView>('PATCH', `/api/channels/${primary!.id}`, { key: 'sk-replacement-key-123456', status: 'enabled' })
      expect(rekeyed.body).toMatchObject({ keyCount: 1, keys: ['sk-…3456'], status: 'enabled', statusReason: null })
      const [row] = await context.database.db.select().from(channels).where(eq(channels.id, primary!.id))
      expect(JSON.parse(context.secretBox.open(row!.keysEncrypted))).toEqual(['sk-replacement-key-123456'])
      expect((await abilityRows(primary!.id)).map((ability) => ability.enabled)).toEqual([true])
    })

    test('delete removes the channel and its abilities; later reads are 404', async () => {
      const created = await call<ChannelView>('POST', '/api/channels', {
        name: 'short-lived',
        type: 'openai',
        key: 'sk-short-lived-000000',
        models: ['a', 'b'],
      })
      expect((await abilityRows(created.body.id)).length).toBe(2)
      const removed = await call('DELETE', `/api/channels/${created.body.id}`)
      expect(removed.status).toBe(204)
      expect(removed.text).toBe('')
      expect(await abilityRows(created.body.id)).toEqual([])
      const missing = await call<AdminError>('GET', `/api/channels/${created.body.id}`)
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('not_found')
      expect((await call('PATCH', `/api/channels/${created.body.id}`, { name: 'x' })).status).toBe(404)
      expect((await call('DELETE', `/api/channels/${created.body.id}`)).status).toBe(404)
    })

    test('channel rules: registered type, settings schema, base URL when the type has no default, no mapping cycles', async () => {
      const base = { name: 'rules', type: 'openai', key: 'sk-rules-000000000', models: ['gpt-4o'] }
      const unknownType = await call<AdminError>('POST', '/api/channels', { ...base, type: 'no-such-type' })
      expect(unknownType.status).toBe(400)
      expect(unknownType.body.error.field).toBe('type')
      expect(unknownType.body.error.message).toContain('openai-compatible')
      const badSettings = await call<AdminError>('POST', '/api/channels', { ...base, settings: { organization: 42 } })
      expect(badSettings.status).toBe(400)
      expect(badSettings.body.error.field).toBe('settings.organization')
      const unknownSetting = await call<AdminError>('POST', '/api/channels', { ...base, settings: { colour: 'blue' } })
      expect(unknownSetting.status).toBe(400)
      expect(unknownSetting.body.error.field).toBe('settings.colour')
      const noBaseUrl = await call<AdminError>('POST', '/api/channels', { ...base, type: 'openai-compatible' })
      expect(noBaseUrl.status).toBe(400)
      expect(noBaseUrl.body.error.field).toBe('baseUrl')
      const cycle = await call<AdminError>('POST', '/api/channels', { ...base, modelMapping: { a: 'b', b: 'c', c: 'a' } })
      expect(cycle.status).toBe(400)
      expect(cycle.body.error.field).toBe('modelMapping')
      const chain = await call<ChannelView>('POST', '/api/channels', { ...base, modelMapping: { a: 'b', b: 'c' } })
      expect(chain.status).toBe(201)
      expect(chain.body.modelMapping).toEqual({ a: 'b', b: 'c' })
      const blankKeys = await call<AdminError>('POST', '/api/channels', { ...base, key: '\n  \n' })
      expect(blankKeys.status).toBe(400)
      expect(blankKeys.body.error.field).toBe('key')
    })

    test('an SQL-looking name is stored verbatim and every table survives', async () => {
      const name = "x'); drop table users;--"
      const created = await call<ChannelView>('POST', '/api/channels', { name, type: 'openai', key: 'sk-injection-000000', models: ["gpt'4o"] })
      expect(created.status).toBe(201)
      expect(created.body.name).toBe(name)
      const [row] = await context.database.db.select().from(channels).where(eq(channels.id, created.body.id))
      expect(row!.name).toBe(name)
      const found = await call<ChannelPage>('GET', `/api/channels?q=${encodeURIComponent('drop table users;--')}`)
      expect(found.body.items.map((channel) => channel.name)).toEqual([name])
      const [userCount] = await context.database.db.select({ value: count() }).from(users)
      expect(userCount!.value).toBe(1)
      expect((await abilityRows(created.body.id)).map((ability) => ability.model)).toEqual(["gpt'4o"])
    })

    test('every change is audited as a manage log row naming the channel', async () => {
      await context.logWriter.flush()
      const rows = await context.database.db.select().from(logs).where(eq(logs.type, 'manage')).orderBy(asc(logs.id))
      const contents = rows.map((row) => row.content ?? '')
      const [primary] = await context.database.db.select().from(channels).where(eq(channels.name, 'primary'))
      expect(contents).toContain(`channel ${primary!.id} "primary" created`)
      expect(contents).toContain(`channel ${primary!.id} "primary" updated`)
      expect(contents.some((content) => /^channel \d+ "short-lived" deleted$/.test(content))).toBe(true)
      const [root] = await context.database.db.select().from(users).where(eq(users.role, 'root'))
      expect(rows.every((row) => row.userId === root!.id && row.username === 'root')).toBe(true)
      for (const row of rows) expect(JSON.stringify(row)).not.toContain('FirstSecretKey')
    })

    test('channel types come from the registry with their settings schema', async () => {
      const types = await call<Array<{ id: string; label: string; plugin: string; defaultBaseUrl: string | null; settingsSchema: Record<string, unknown> }>>(
        'GET',
        '/api/channel-types',
      )
      expect(types.status).toBe(200)
      const ids = types.body.map((type) => type.id)
      expect(ids).toEqual(context.registry.channelTypes().map((entry) => entry.spec.id))
      const openai = types.body.find((type) => type.id === 'openai')!
      expect(openai.plugin).toBe(context.registry.channelType('openai')!.plugin.id)
      expect(openai.defaultBaseUrl).toBe(context.registry.channelType('openai')!.spec.defaultBaseUrl ?? null)
      expect(openai.settingsSchema.type).toBe('object')
      expect(types.body.find((type) => type.id === 'openai-compatible')!.defaultBaseUrl).toBeNull()
    })

    test('no response body of this suite ever contained a channel key', () => {
      expect(bodies.length).toBeGreaterThan(25)
      const leaked = bodies.filter((text) =>
        [KEY_ONE, KEY_TWO, 'FirstSecretKey', 'SecondSecretKey', 'sk-replacement-key'].some((secret) => text.includes(secret)),
      )
      expect(leaked).toEqual([])
    })
  })
}
