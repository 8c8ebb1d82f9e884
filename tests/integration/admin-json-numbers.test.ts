import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'

// PostgreSQL hands sums, counts and bigints to the driver as strings; the admin API converts them at
// its edge, so every value its OpenAPI document declares a number (totals, balances, token counts,
// ids) is a JSON number on the wire, on PGlite and on PostgreSQL. The dashboard types them as numbers
// and does no Number(...) of its own. Each GET below is answered with data in it (a relayed call, a
// channel with a tag, a redemption code), and its JSON is walked against the route's declared schema.

/** A JSON Schema as the gateway's OpenAPI document writes one (the parts the walk reads). */
interface Schema {
  $ref?: string
  type?: string | string[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  items?: Schema
  properties?: Record<string, Schema>
  additionalProperties?: Schema | boolean
  patternProperties?: Record<string, Schema>
}

interface Document {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>
  components?: { schemas?: Record<string, Schema> }
}

/** Where the JSON has something other than what the schema declares (a number given as a string, above all). */
function typeProblems(document: Document, value: unknown, schema: Schema | undefined, path: string): string[] {
  if (!schema) return []
  if (schema.$ref) return typeProblems(document, value, document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], path)
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) {
    const results = branches.map((branch) => typeProblems(document, value, branch, path))
    return results.find((problems) => problems.length === 0) ?? results.reduce((fewest, problems) => (problems.length < fewest.length ? problems : fewest))
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type]
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
  const accepted = (type: string) => type === actual || ((type === 'integer' || type === 'number') && actual === 'number')
  if (types.length > 0 && !types.some(accepted)) return [`${path}: ${JSON.stringify(value)} is ${actual}, declared ${types.join(' | ')}`]
  if (actual === 'array') return (value as unknown[]).flatMap((item, index) => typeProblems(document, item, schema.items, `${path}[${index}]`))
  if (actual !== 'object') return []
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const declared =
      schema.properties?.[key] ??
      Object.values(schema.patternProperties ?? {})[0] ??
      (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined)
    return typeProblems(document, inner, declared, `${path}.${key}`)
  })
}

/** Every number-typed leaf of a JSON value, by path (so a test can see the walk met numbers at all). */
function numberPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return [path]
  if (Array.isArray(value)) return value.flatMap((item, index) => numberPaths(item, `${path}[${index}]`))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => numberPaths(inner, `${path}.${key}`))
  return []
}

for (const backend of testBackends) {
  describe(`admin API numbers are JSON numbers (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let document: Document
    let channelId: number
    let tokenId: number
    let logId: number

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      fake.setDefault({ kind: 'usage', usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 } })
      channelId = await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'], tags: ['primary'] })
      const token = await gateway.createToken({ quota: 10_000_000 })
      tokenId = token.id
      for (let call = 0; call < 2; call++) {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.key}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        })
        expect(response.status).toBe(200)
        await response.text()
      }
      await gateway.admin('POST', '/api/redemptions', { name: 'welcome', quota: 500_000, count: 2 })
      const logs = await gateway.logs({ type: 'consume' })
      logId = Number(logs[0]?.id)
      document = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as Document
    }, 30_000)
    afterAll(async () => {
      await gateway?.stop()
      await fake?.stop()
    })

    /** GETs a route as root and checks its JSON against the 200 schema the document declares for `template`. */
    async function check(template: string, url: string): Promise<{ problems: string[]; numbers: string[]; body: unknown }> {
      const response = await gateway.adminResponse('GET', url)
      expect(response.status).toBe(200)
      const body: unknown = await response.json()
      const schema = document.paths[template]?.get?.responses?.['200']?.content?.['application/json']?.schema
      expect(schema).toBeDefined()
      return { problems: typeProblems(document, body, schema, template), numbers: numberPaths(body), body }
    }

    test('usage statistics: sums per bucket are numbers', async () => {
      const now = Date.now()
      const range = `from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`
      for (const query of [range, `${range}&bucket=day&groupBy=model`, `${range}&groupBy=user`]) {
        const { problems, body } = await check('/api/stats', `/api/stats?${query}`)
        expect(problems).toEqual([])
        const items = (body as { items: Array<Record<string, unknown>> }).items
        expect(items.length).toBeGreaterThan(0)
        const total = items.reduce((sum, item) => sum + (item.requests as number), 0)
        expect(total).toBe(2)
        for (const item of items) for (const field of ['requests', 'promptTokens', 'completionTokens', 'quota']) expect(typeof item[field]).toBe('number')
      }
    })

    test('lists, their totals and counts are numbers', async () => {
      const routes: Array<[string, string]> = [
        ['/api/channels', '/api/channels'],
        ['/api/channels/{id}', `/api/channels/${channelId}`],
        ['/api/channel-tags', '/api/channel-tags'],
        ['/api/groups', '/api/groups'],
        ['/api/logs', '/api/logs'],
        ['/api/logs/{id}', `/api/logs/${logId}`],
        ['/api/redemptions', '/api/redemptions'],
        ['/api/tokens', '/api/tokens'],
        ['/api/tokens/{id}', `/api/tokens/${tokenId}`],
        ['/api/users', '/api/users'],
        ['/api/users/{id}', '/api/users/1'],
        ['/api/users/me', '/api/users/me'],
      ]
      const problems: string[] = []
      const numbers: string[] = []
      for (const [template, url] of routes) {
        const result = await check(template, url)
        problems.push(...result.problems)
        numbers.push(...result.numbers.map((path) => `${template}${path}`))
      }
      expect(problems).toEqual([])
      // The walk did meet the totals and counts this is about.
      for (const expected of [
        '/api/channels.total',
        '/api/channel-tags[0].count',
        '/api/logs.total',
        '/api/users.items[0].quota',
        '/api/users.items[0].requestCount',
        '/api/tokens/{id}.usedQuota',
      ]) {
        expect(numbers).toContain(expected)
      }
    })
  })
}
