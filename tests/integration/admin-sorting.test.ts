import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { channels } from '../../core/db/schema.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// The shared `sort` parameter of list routes: `field` ascending, `-field` descending, ties and the
// default newest first, fields outside each route's whitelist refused naming `sort`.

interface Page<T> {
  items: T[]
  total: number
}

for (const backend of testBackends) {
  describe(`list sorting (${backend.name})`, () => {
    let gateway: TestGateway
    const list = async <T>(path: string) => (await gateway.admin<Page<T>>('GET', path)).items

    beforeAll(async () => {
      gateway = await startGateway(backend)
      const specs = [
        { name: 'bravo', priority: 5, weight: 1, latency: 300 },
        { name: 'alpha', priority: 1, weight: 9, latency: null },
        { name: 'delta', priority: 5, weight: 4, latency: 100 },
        { name: 'charlie', priority: 9, weight: 2, latency: 200 },
      ]
      for (const spec of specs) {
        const id = await gateway.createChannel({
          name: spec.name,
          type: 'openai',
          key: `sk-${spec.name}-000000`,
          models: ['gpt-4o'],
          priority: spec.priority,
          weight: spec.weight,
        })
        if (spec.latency !== null) await gateway.context.database.db.update(channels).set({ testLatencyMs: spec.latency }).where(eq(channels.id, id))
      }
      for (const [username, quota] of [
        ['user-c', 300],
        ['user-a', 100],
        ['user-b', 200],
      ] as const)
        await gateway.createUser({ username, quota })
      for (const [name, quota] of [
        ['key-b', 20],
        ['key-c', 10],
        ['key-a', 30],
      ] as const)
        await gateway.createToken({ name, quota })
      for (const [name, quota] of [
        ['code-b', 5],
        ['code-a', 7],
      ] as const)
        await gateway.admin('POST', '/api/redemptions', { name, quota })
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('channels: default newest first; by name, priority (ties newest first), weight and latency (empty last)', async () => {
      const names = async (sort?: string) => (await list<{ name: string }>(`/api/channels${sort ? `?sort=${sort}` : ''}`)).map((channel) => channel.name)
      expect(await names()).toEqual(['charlie', 'delta', 'alpha', 'bravo'])
      expect(await names('name')).toEqual(['alpha', 'bravo', 'charlie', 'delta'])
      expect(await names('-name')).toEqual(['delta', 'charlie', 'bravo', 'alpha'])
      expect(await names('-priority')).toEqual(['charlie', 'delta', 'bravo', 'alpha'])
      expect(await names('priority')).toEqual(['alpha', 'delta', 'bravo', 'charlie'])
      expect(await names('weight')).toEqual(['bravo', 'charlie', 'delta', 'alpha'])
      expect(await names('testLatencyMs')).toEqual(['delta', 'charlie', 'bravo', 'alpha'])
      expect(await names('-testLatencyMs')).toEqual(['bravo', 'charlie', 'delta', 'alpha'])
      expect(await names('id')).toEqual(['bravo', 'alpha', 'delta', 'charlie'])
      expect(await names('-createdAt')).toEqual(['charlie', 'delta', 'alpha', 'bravo'])
      const paged = await list<{ name: string }>('/api/channels?sort=name&page=2&pageSize=3')
      expect(paged.map((channel) => channel.name)).toEqual(['delta'])
    })

    test('users, tokens and redemption codes sort by their own fields', async () => {
      const usernames = (await list<{ username: string }>('/api/users?sort=quota&q=user-')).map((user) => user.username)
      expect(usernames).toEqual(['user-a', 'user-b', 'user-c'])
      expect((await list<{ username: string }>('/api/users?sort=-username&q=user-')).map((user) => user.username)).toEqual(['user-c', 'user-b', 'user-a'])
      expect((await list<{ name: string }>('/api/tokens?sort=-remainQuota')).map((token) => token.name)).toEqual(['key-a', 'key-b', 'key-c'])
      expect((await list<{ name: string }>('/api/tokens?sort=name')).map((token) => token.name)).toEqual(['key-a', 'key-b', 'key-c'])
      expect((await list<{ name: string }>('/api/tokens')).map((token) => token.name)).toEqual(['key-a', 'key-c', 'key-b'])
      expect((await list<{ name: string }>('/api/redemptions?sort=quota')).map((code) => code.name)).toEqual(['code-b', 'code-a'])
      expect((await list<{ name: string }>('/api/redemptions?sort=-quota')).map((code) => code.name)).toEqual(['code-a', 'code-b'])
    })

    test('a field outside the whitelist is 400 naming sort', async () => {
      for (const path of [
        '/api/channels?sort=keysEncrypted',
        '/api/channels?sort=--name',
        '/api/users?sort=passwordHash',
        '/api/users?sort=priority',
        '/api/tokens?sort=keyHash',
        '/api/redemptions?sort=codeHash',
        `/api/channels?sort=${encodeURIComponent('name;drop table users')}`,
      ]) {
        const response = await gateway.adminResponse('GET', path)
        const body = (await response.json()) as AdminError
        expect({ path, status: response.status, field: body.error.field }).toEqual({ path, status: 400, field: 'sort' })
        expect(body.error.message).toStartWith('sort: must be one of')
      }
    })
  })
}
