import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { count } from 'drizzle-orm'
import { apiRoutes } from '../../core/api-routes.ts'
import { ensureRootUser } from '../../core/bootstrap.ts'
import { channels, tokens, users } from '../../core/db/schema.ts'
import { defaultOptions, type SystemOptionValues } from '../../core/options.ts'
import { createServer } from '../../core/server.ts'
import type { AppContext } from '../../core/app-context.ts'
import type { AdminError } from '../../schemas/admin/common.ts'
import { closeContext, createTestContext, testBackends } from '../support/context.ts'

interface Answer<T> {
  status: number
  text: string
  body: T
}
type Handler = { handle(request: Request): Promise<Response> }

const channel = { name: 'valid', type: 'openai', key: 'sk-validation-0000000', models: ['gpt-4o'] }

for (const backend of testBackends) {
  describe(`admin validation (${backend.name})`, () => {
    let context: AppContext
    let app: Handler

    /** Sends a raw body (or JSON of `body`) as root. */
    async function send<T = AdminError>(method: string, path: string, body?: unknown, raw?: string): Promise<Answer<T>> {
      const headers: Record<string, string> = { authorization: `Bearer ${context.config.rootAccessToken}`, 'content-type': 'application/json' }
      const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body))
      const response = await app.handle(new Request(`http://local${path}`, { method, headers, body: payload }))
      const text = await response.text()
      return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T }
    }

    /** Asserts a 400 invalid_request naming `field`, in the admin error shape. */
    async function expectInvalid(method: string, path: string, body: unknown, field: string, messagePart?: string) {
      const answer = await send(method, path, body)
      expect({ status: answer.status, code: answer.body?.error?.code, field: answer.body?.error?.field }).toEqual({
        status: 400,
        code: 'invalid_request',
        field,
      })
      expect(answer.body.error.message.startsWith(`${field}: `)).toBe(true)
      if (messagePart) expect(answer.body.error.message).toContain(messagePart)
      expect(Object.keys(answer.body)).toEqual(['error'])
      return answer
    }

    beforeAll(async () => {
      context = await createTestContext(backend)
      await ensureRootUser(context)
      app = new Elysia().use(apiRoutes(context))
    })
    afterAll(async () => {
      await closeContext(context)
    })

    test('wrong types are 400 naming the field, not a 422 dump', async () => {
      await expectInvalid('POST', '/api/channels', { ...channel, priority: 'high' }, 'priority', 'Expected integer')
      await expectInvalid('POST', '/api/channels', { ...channel, priority: 1.5 }, 'priority', 'Expected integer')
      await expectInvalid('POST', '/api/channels', { ...channel, weight: -1 }, 'weight')
      await expectInvalid('POST', '/api/channels', { ...channel, models: ['ok', 7] }, 'models.1', 'Expected string')
      await expectInvalid('POST', '/api/channels', { ...channel, status: 'auto-disabled' }, 'status', '"manually-disabled"')
      await expectInvalid('POST', '/api/channels', { ...channel, modelMapping: { a: 1 } }, 'modelMapping.a')
      await expectInvalid('POST', '/api/tokens', { name: 't', quota: -5 }, 'quota')
      await expectInvalid('POST', '/api/tokens', { name: 't', expiresAt: 'next tuesday' }, 'expiresAt', 'date-time')
      await expectInvalid('POST', '/api/tokens', { name: 't', ipAllowlist: ['10.0.0.0/8', '300.1.1.1'] }, 'ipAllowlist.1')
      await expectInvalid('POST', '/api/tokens', { name: 't', models: ['gpt-*-mini'] }, 'models.0')
      await expectInvalid('POST', '/api/users', { username: 'ok-name', password: 'short' }, 'password')
      await expectInvalid('POST', '/api/users', { username: 'bad name!', password: 'long-enough' }, 'username')
      await expectInvalid('POST', '/api/users', { username: 'ok-name', password: 'long-enough', email: 'not-an-email' }, 'email')
      await expectInvalid('PATCH', '/api/users/1', { quotaDelta: 0.5 }, 'quotaDelta')
      const missing = await expectInvalid('POST', '/api/channels', { name: 'x', type: 'openai', models: ['m'] }, 'key')
      expect(missing.body.error.message).toContain('Expected')
    })

    test('unknown fields are refused, at the top level and nested', async () => {
      await expectInvalid('POST', '/api/channels', { ...channel, keys: 'typo' }, 'keys', 'unknown field')
      await expectInvalid('POST', '/api/tokens', { name: 't', isAdmin: true }, 'isAdmin', 'unknown field')
      await expectInvalid('POST', '/api/users', { username: 'mallory', password: 'long-enough', passwordHash: 'x' }, 'passwordHash')
      await expectInvalid('PATCH', '/api/users/1', { role: 'user', username: 'renamed' }, 'username')
      await expectInvalid('PATCH', '/api/options', { retryTimes: 1, notAnOption: true }, 'notAnOption')
      await expectInvalid('PATCH', '/api/options', { modelPrices: { 'gpt-4o': { inputPerMTok: 1, outputPerMtok: 2 } } }, 'modelPrices.gpt-4o.outputPerMtok')
      const [userCount] = await context.database.db.select({ value: count() }).from(users)
      expect(userCount!.value).toBe(1)
    })

    test('values Elysia would silently reshape are refused as they arrived', async () => {
      // Elysia's normalisation turns 12345, "abc" or [] where an object belongs into {} (or {"0":"a",…}).
      await expectInvalid('POST', '/api/channels', { ...channel, modelMapping: 12345 }, 'modelMapping', 'Expected object')
      await expectInvalid('POST', '/api/channels', { ...channel, settings: 'abc' }, 'settings', 'Expected object')
      await expectInvalid('PATCH', '/api/options', { rateLimits: [] }, 'rateLimits')
      await expectInvalid('POST', '/api/channels', { ...channel, statusCodeMapping: { abc: '500' } }, 'statusCodeMapping.abc')
      const array = await send('POST', '/api/tokens', undefined, '[{"name":"t"}]')
      expect([array.status, array.body.error.code]).toEqual([400, 'invalid_request'])
      await expectInvalid('POST', '/api/users/me/access-tokens', { name: 'session' }, 'name', 'other than')
      await expectInvalid('POST', '/api/channels/1/test', { model: 'gpt-4o', typo: true }, 'typo', 'unknown field')
      const [channelCount] = await context.database.db.select({ value: count() }).from(channels)
      expect(channelCount!.value).toBe(0)
    })

    test('oversize strings are refused before anything is stored', async () => {
      await expectInvalid('POST', '/api/channels', { ...channel, name: 'n'.repeat(129) }, 'name', '128')
      await expectInvalid('POST', '/api/channels', { ...channel, key: 'k'.repeat(16_385) }, 'key', '16384')
      await expectInvalid('POST', '/api/channels', { ...channel, baseUrl: `https://example.com/${'p'.repeat(2048)}` }, 'baseUrl', '2048')
      await expectInvalid('POST', '/api/channels', { ...channel, baseUrl: 'javascript:alert(1)' }, 'baseUrl', 'http(s) URL')
      await expectInvalid('POST', '/api/tokens', { name: 'n'.repeat(129) }, 'name')
      await expectInvalid('POST', '/api/users', { username: 'u'.repeat(65), password: 'long-enough' }, 'username')
      await expectInvalid('POST', '/api/users', { username: 'ok-name', password: 'p'.repeat(129) }, 'password')
      const [channelCount] = await context.database.db.select({ value: count() }).from(channels)
      const [tokenCount] = await context.database.db.select({ value: count() }).from(tokens)
      expect([channelCount!.value, tokenCount!.value]).toEqual([0, 0])
      const longestOk = await send('POST', '/api/channels', { ...channel, name: 'n'.repeat(128) })
      expect(longestOk.status).toBe(201)
    })

    test('malformed JSON is 400 invalid_json; bad query and path values name the parameter; unknown paths are 404', async () => {
      const malformed = await send('POST', '/api/channels', undefined, '{"name": "x",')
      expect(malformed.status).toBe(400)
      expect(malformed.body.error.code).toBe('invalid_json')
      const malformedPatch = await send('PATCH', '/api/options', undefined, "{'retryTimes': 1}")
      expect(malformedPatch.status).toBe(400)
      expect(malformedPatch.body.error.code).toBe('invalid_json')
      await expectInvalid('GET', '/api/channels?pageSize=101', undefined, 'pageSize')
      await expectInvalid('GET', '/api/logs?page=0', undefined, 'page')
      await expectInvalid('GET', '/api/logs?from=yesterday', undefined, 'from')
      await expectInvalid('GET', '/api/users?role=superuser', undefined, 'role')
      await expectInvalid('GET', '/api/channels/abc', undefined, 'id', 'Expected integer')
      await expectInvalid('PATCH', '/api/channels/0', { name: 'x' }, 'id')
      const unknown = await send('GET', '/api/definitely/not/here')
      expect(unknown.status).toBe(404)
      expect(unknown.body.error.code).toBe('not_found')
      const empty = await send('PATCH', '/api/tokens/1', {})
      expect(empty.status).toBe(400)
    })

    test('options: a partial update keeps the other values; invalid values are 400 naming the field', async () => {
      const first = await send<SystemOptionValues>('PATCH', '/api/options', { groupRatios: { default: 1, vip: 0.8 } })
      expect(first.status).toBe(200)
      const second = await send<SystemOptionValues>('PATCH', '/api/options', { retryTimes: 4 })
      expect(second.body).toEqual({ ...defaultOptions(), groupRatios: { default: 1, vip: 0.8 }, retryTimes: 4 })
      await context.options.reload()
      expect(context.options.get()).toEqual(second.body)
      expect((await send<SystemOptionValues>('GET', '/api/options')).body).toEqual(second.body)
      await expectInvalid('PATCH', '/api/options', { retryTimes: 11 }, 'retryTimes')
      await expectInvalid('PATCH', '/api/options', { retryTimes: 'three' }, 'retryTimes', 'Expected integer')
      await expectInvalid('PATCH', '/api/options', { groupRatios: { vip: -2 } }, 'groupRatios.vip')
      await expectInvalid('PATCH', '/api/options', { modelPrices: { 'gpt-4o': { perCall: -1 } } }, 'modelPrices.gpt-4o.perCall')
      expect(context.options.get().retryTimes).toBe(4)
    })

    test('the rules hold inside the real server too (default normalisation, OpenAPI document)', async () => {
      const { app: server } = await createServer(context)
      const previous = app
      app = server
      try {
        await expectInvalid('POST', '/api/tokens', { name: 't', unexpected: 1 }, 'unexpected', 'unknown field')
        await expectInvalid('POST', '/api/channels', { ...channel, priority: 'x' }, 'priority', 'Expected integer')
        expect((await send('GET', '/api/nowhere')).status).toBe(404)
        const document = await server.handle(new Request('http://local/swagger/json'))
        expect(document.status).toBe(200)
        const spec = (await document.json()) as {
          paths: Record<string, Record<string, { operationId?: string; security?: unknown; 'x-required-role'?: string }>>
        }
        expect(spec.paths['/api/channels']?.post?.operationId).toBe('createChannel')
        expect(spec.paths['/api/channels']?.post?.['x-required-role']).toBe('admin')
        expect(spec.paths['/api/channels']?.post?.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }])
        expect(spec.paths['/api/auth/login']?.post?.['x-required-role']).toBe('public')
        expect(
          Object.keys(spec.paths)
            .filter((path) => path.startsWith('/api/'))
            .sort(),
        ).toEqual([
          '/api/auth/login',
          '/api/auth/login/two-factor',
          '/api/auth/logout',
          '/api/auth/oauth/{provider}/callback',
          '/api/auth/oauth/{provider}/start',
          '/api/auth/register',
          '/api/auth/settings',
          '/api/auth/telegram',
          '/api/channel-tags',
          '/api/channel-types',
          '/api/channels',
          '/api/channels/balances/refresh',
          '/api/channels/batch',
          '/api/channels/upstream-models',
          '/api/channels/{id}',
          '/api/channels/{id}/balance/refresh',
          '/api/channels/{id}/keys/reveal',
          '/api/channels/{id}/test',
          '/api/channels/{id}/upstream-models',
          '/api/groups',
          '/api/groups/{name}',
          '/api/logs',
          '/api/logs/export',
          '/api/logs/{id}',
          '/api/models',
          '/api/models/price',
          '/api/options',
          '/api/playground/audio/speech',
          '/api/playground/chat/completions',
          '/api/playground/image-models',
          '/api/playground/images/generations',
          '/api/playground/models',
          '/api/playground/speech-models',
          '/api/plugins',
          '/api/pricing',
          '/api/redemptions',
          '/api/redemptions/redeem',
          '/api/redemptions/{id}',
          '/api/setup',
          '/api/stats',
          '/api/status',
          '/api/system/runtime',
          '/api/tasks',
          '/api/tasks/{id}',
          '/api/tasks/{id}/files/{index}',
          '/api/tokens',
          '/api/tokens/{id}',
          '/api/topups',
          '/api/topups/epay/notify',
          '/api/topups/options',
          '/api/topups/settings',
          '/api/topups/stripe/webhook',
          '/api/users',
          '/api/users/me',
          '/api/users/me/access-tokens',
          '/api/users/me/groups',
          '/api/users/me/oauth-accounts',
          '/api/users/me/oauth-accounts/{id}',
          '/api/users/me/password',
          '/api/users/me/sessions',
          '/api/users/me/sessions/{id}',
          '/api/users/me/two-factor/disable',
          '/api/users/me/two-factor/enable',
          '/api/users/me/two-factor/setup',
          '/api/users/{id}',
          '/api/users/{id}/oauth-accounts',
          '/api/users/{id}/reset-password',
        ])
      } finally {
        app = previous
      }
    })
  })
}
