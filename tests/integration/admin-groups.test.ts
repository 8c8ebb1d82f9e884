import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AdminError } from '../../schemas/admin/common.ts'
import type { GroupView } from '../../schemas/admin/groups.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Groups: every group known from the ratios and from what users, keys and channels use; ratios and
// descriptions stored in the options; a group in use (or `default`) is never deleted.

interface Answer<T> {
  status: number
  body: T
}

for (const backend of testBackends) {
  describe(`groups (${backend.name})`, () => {
    let gateway: TestGateway
    let member: string

    async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<Answer<T>> {
      const response = token
        ? await fetch(`${gateway.url}${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          })
        : await gateway.adminResponse(method, path, body)
      const text = await response.text()
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
    }
    const groups = async () => (await call<GroupView[]>('GET', '/api/groups')).body
    const group = async (name: string) => (await groups()).find((entry) => entry.name === name)

    beforeAll(async () => {
      gateway = await startGateway(backend)
      await gateway.createUser({ username: 'team-member', quota: 0, group: 'team' })
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'team-member', password: 'password-123' }),
      })
      member = ((await login.json()) as { accessToken: string }).accessToken
      await gateway.createChannel({ name: 'shared', type: 'openai', key: 'sk-shared-0000000', models: ['gpt-4o'], groups: ['default', 'team-b'] })
      await gateway.createChannel({ name: 'b-only', type: 'openai', key: 'sk-b-only-0000000', models: ['gpt-4o'], groups: ['team-b'] })
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('the list holds default, the groups users and channels use, with ratio 1 and usage counts', async () => {
      const list = await groups()
      expect(list.map((entry) => entry.name)).toEqual(['default', 'team', 'team-b'])
      expect(list[0]).toEqual({ name: 'default', ratio: 1, description: '', userCount: 1, channelCount: 1, tokenCount: 0 })
      expect(list[1]).toEqual({ name: 'team', ratio: 1, description: '', userCount: 1, channelCount: 0, tokenCount: 0 })
      expect(list[2]).toMatchObject({ name: 'team-b', userCount: 0, channelCount: 2 })
    })

    test("PUT creates or replaces a group's ratio and description, stored in the options", async () => {
      const created = await call<GroupView>('PUT', '/api/groups/vip', { ratio: 0.8, description: 'Resellers, 20% off' })
      expect(created).toEqual({
        status: 200,
        body: { name: 'vip', ratio: 0.8, description: 'Resellers, 20% off', userCount: 0, channelCount: 0, tokenCount: 0 },
      })
      const options = await gateway.admin<{ groupRatios: Record<string, number>; groupDescriptions: Record<string, string> }>('GET', '/api/options')
      expect(options.groupRatios).toEqual({ default: 1, vip: 0.8 })
      expect(options.groupDescriptions).toEqual({ vip: 'Resellers, 20% off' })
      const replaced = await call<GroupView>('PUT', '/api/groups/vip', { ratio: 0.75 })
      expect(replaced.body).toMatchObject({ ratio: 0.75, description: '' })
      expect((await gateway.admin<{ groupDescriptions: Record<string, string> }>('GET', '/api/options')).groupDescriptions).toEqual({})
      expect((await call<GroupView>('PUT', '/api/groups/team', { ratio: 1.5, description: 'The team' })).body).toMatchObject({
        name: 'team',
        ratio: 1.5,
        userCount: 1,
      })
    })

    test('bad names and ratios are 400 naming the field', async () => {
      const badName = await call<AdminError>('PUT', `/api/groups/${encodeURIComponent('no spaces')}`, { ratio: 1 })
      expect({ status: badName.status, field: badName.body.error.field }).toEqual({ status: 400, field: 'name' })
      for (const [body, field] of [
        [{ ratio: -1 }, 'ratio'],
        [{ ratio: 'cheap' }, 'ratio'],
        [{}, 'ratio'],
        [{ ratio: 1, colour: 'red' }, 'colour'],
        [{ ratio: 1, description: 'd'.repeat(501) }, 'description'],
      ] as const) {
        const answer = await call<AdminError>('PUT', '/api/groups/vip', body)
        expect({ body, status: answer.status, field: answer.body.error.field }).toEqual({ body, status: 400, field })
      }
    })

    test('a group in use by a user, a channel or an API key is not deleted; default never; unknown is 404', async () => {
      const key = await gateway.admin<{ id: number }>('POST', '/api/tokens', { name: 'vip key', group: 'vip' })
      expect((await group('vip'))!.tokenCount).toBe(1)
      for (const name of ['vip', 'team', 'team-b']) {
        const refused = await call<AdminError>('DELETE', `/api/groups/${name}`)
        expect({ name, status: refused.status, code: refused.body.error.code }).toEqual({ name, status: 409, code: 'conflict' })
      }
      expect((await call<AdminError>('DELETE', '/api/groups/team-b')).body.error.message).toContain('2 channel(s)')
      const keepDefault = await call<AdminError>('DELETE', '/api/groups/default')
      expect({ status: keepDefault.status, field: keepDefault.body.error.field }).toEqual({ status: 400, field: 'name' })
      expect((await call('DELETE', '/api/groups/never-heard-of')).status).toBe(404)
      expect((await group('vip'))!.ratio).toBe(0.75)
      await gateway.admin('DELETE', `/api/tokens/${key.id}`)
      expect((await call('DELETE', '/api/groups/vip')).status).toBe(204)
      expect(await group('vip')).toBeUndefined()
      expect((await gateway.admin<{ groupRatios: Record<string, number> }>('GET', '/api/options')).groupRatios).toEqual({ default: 1, team: 1.5 })
      await gateway.admin('PUT', '/api/groups/empty', { ratio: 2 })
      expect((await call('DELETE', '/api/groups/empty')).status).toBe(204)
    })

    test('a plain user sees the groups they may put on their keys; admins see every group', async () => {
      const own = await call<Array<{ name: string; ratio: number; description: string }>>('GET', '/api/users/me/groups', undefined, member)
      expect(own).toEqual({ status: 200, body: [{ name: 'team', ratio: 1.5, description: 'The team' }] })
      expect((await call('GET', '/api/groups', undefined, member)).status).toBe(403)
      expect((await call('PUT', '/api/groups/team', { ratio: 0 }, member)).status).toBe(403)
      const asAdmin = await call<Array<{ name: string }>>('GET', '/api/users/me/groups')
      expect(asAdmin.body.map((entry) => entry.name)).toEqual(['default', 'team', 'team-b'])
    })
  })
}
