import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { asc, count } from 'drizzle-orm'
import { channels, schema, tokens, users } from '../../core/db/schema.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testBackends } from '../support/context.ts'

// Bad input on every write route, enumerated from the OpenAPI document: for each property of each
// POST/PUT/PATCH JSON body, a wrong type, a string one longer than its maxLength, an SQL-injection
// look-alike where a pattern or format constrains the value, and an unknown top-level field. Each
// must be a 400 naming the property, and none may change a single row. Routes added later are
// probed the same way; a schema this file cannot build a valid value for fails loudly (see `valid`).

type Schema = {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  const?: unknown
  enum?: unknown[]
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  patternProperties?: Record<string, Schema>
  $ref?: string
}
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  'x-relay'?: boolean
}
interface Probe {
  operation: string
  field: string
  what: string
  body: Record<string, unknown>
}
interface Answer {
  status: number
  field?: string
  code?: string
}

const INJECTION = "x'; DROP TABLE users; --"
const UNKNOWN_FIELD = 'unexpectedField'

/** Candidate texts for fields with a pattern; the first one the pattern accepts is used in valid bodies. */
const PATTERN_CANDIDATES = [
  'example',
  'example-name',
  'https://example.com/v1',
  '400',
  'gpt-4o-mini',
  'a1b2c3d4e5',
  '429,500-503',
  'a'.repeat(64),
  'USD',
  'sk_test_example',
]

/** The JSON types a schema admits; empty when it admits anything. */
function allowedTypes(schema: Schema): Set<string> {
  const types = new Set<string>()
  for (const type of Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []) types.add(type === 'integer' ? 'number' : type)
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) for (const type of allowedTypes(branch)) types.add(type)
  for (const value of [...(schema.const === undefined ? [] : [schema.const]), ...(schema.enum ?? [])])
    types.add(value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)
  return types
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)

/** A value of a type the schema refuses, or undefined when it takes anything. */
function wrongType(schema: Schema): unknown {
  const allowed = allowedTypes(schema)
  if (allowed.size === 0) return undefined
  return [12345, 'wrong type', true, [], {}].find((value) => !allowed.has(jsonType(value)))
}

/** The schema of a property with its nullable/union wrapper opened: the first branch that is not null. */
function primary(schema: Schema): Schema {
  const branches = schema.anyOf ?? schema.oneOf
  if (!branches) return schema
  return primary(branches.find((branch) => branch.type !== 'null') ?? schema)
}

/** A value the schema accepts (required properties only, smallest sizes); throws when it cannot find one. */
function valid(schema: Schema, where: string): unknown {
  const shape = primary(schema)
  if (shape.const !== undefined) return shape.const
  if (shape.enum) return shape.enum[0]
  const type = Array.isArray(shape.type) ? shape.type.find((entry) => entry !== 'null') : shape.type
  if (type === 'object' || shape.properties) {
    return Object.fromEntries((shape.required ?? []).map((name) => [name, valid(shape.properties?.[name] ?? {}, `${where}.${name}`)]))
  }
  if (type === 'array') return Array.from({ length: shape.minItems ?? 0 }, () => valid(shape.items ?? {}, `${where}.0`))
  if (type === 'boolean') return false
  if (type === 'integer' || type === 'number') return Math.min(Math.max(1, shape.minimum ?? 1), shape.maximum ?? 1)
  if (type === 'string') {
    if (shape.format === 'date-time') return '2099-01-01T00:00:00.000Z'
    if (shape.format === 'email') return 'someone@example.com'
    const pad = (text: string) => text.padEnd(shape.minLength ?? 0, 'x').slice(0, shape.maxLength ?? Infinity)
    if (!shape.pattern) return pad('example')
    const accepted = PATTERN_CANDIDATES.map(pad).find((candidate) => new RegExp(shape.pattern!).test(candidate))
    if (accepted === undefined) throw new Error(`${where}: no candidate text matches /${shape.pattern}/; add one to PATTERN_CANDIDATES`)
    return accepted
  }
  return 'example'
}

/** `base` with `value` at the dotted path (objects created on the way). */
function withValue(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path
  if (head === undefined) return base
  const inner = (base[head] ?? {}) as Record<string, unknown>
  return { ...base, [head]: rest.length === 0 ? value : withValue(inner, rest, value) }
}

/** The bad values for one property (and, for closed nested objects, their properties). */
function probesFor(operation: string, base: Record<string, unknown>, path: string[], property: Schema): Probe[] {
  const field = path.join('.')
  const probe = (what: string, value: unknown, at = field): Probe => ({ operation, field: at, what, body: withValue(base, path, value) })
  const probes: Probe[] = []
  const wrong = wrongType(property)
  if (wrong !== undefined) probes.push(probe(`wrong type (${JSON.stringify(wrong)})`, wrong))
  const shape = primary(property)
  if (shape.type === 'string' || (Array.isArray(shape.type) && shape.type.includes('string'))) {
    if (shape.maxLength !== undefined) probes.push(probe(`${shape.maxLength + 1} characters`, 'x'.repeat(shape.maxLength + 1)))
    if (shape.pattern || shape.format) probes.push(probe('SQL-injection look-alike', INJECTION))
  }
  const items = shape.type === 'array' && shape.items ? primary(shape.items) : undefined
  if (items?.type === 'string') {
    if (items.maxLength !== undefined) probes.push(probe(`an item of ${items.maxLength + 1} characters`, ['x'.repeat(items.maxLength + 1)], `${field}.0`))
    if (items.pattern || items.format) probes.push(probe('an SQL-injection look-alike item', [INJECTION], `${field}.0`))
  }
  if (shape.properties) {
    const inner = valid(shape, field) as Record<string, unknown>
    const nestedBase = withValue(base, path, inner)
    for (const [name, nested] of Object.entries(shape.properties)) probes.push(...probesFor(operation, nestedBase, [...path, name], nested))
  }
  return probes
}

for (const backend of testBackends) {
  describe(`bad input on every write route (${backend.name})`, () => {
    let gateway: TestGateway
    let document: { paths: Record<string, Record<string, Operation>> }
    const ids: Record<string, number> = {}

    const send = (method: string, path: string, body: unknown) => gateway.adminResponse(method, path, body)
    async function answer(method: string, path: string, body: unknown): Promise<Answer> {
      const response = await send(method, path, body)
      const text = await response.text()
      let parsed: { error?: { field?: string; code?: string } } = {}
      try {
        parsed = JSON.parse(text) as typeof parsed
      } catch {
        // not JSON: the status says enough
      }
      return { status: response.status, field: parsed.error?.field, code: parsed.error?.code }
    }

    /** Row counts of every table, and the users, channels and tokens rows themselves. */
    async function snapshot() {
      await gateway.services.inflight.drain(5000)
      await gateway.context.logWriter.flush()
      const db = gateway.context.database.db
      const counts: Record<string, number> = {}
      for (const [name, table] of Object.entries(schema)) counts[name] = (await db.select({ value: count() }).from(table))[0]?.value ?? -1
      return {
        counts,
        users: await db.select().from(users).orderBy(asc(users.id)),
        channels: await db.select().from(channels).orderBy(asc(channels.id)),
        tokens: await db.select().from(tokens).orderBy(asc(tokens.id)),
      }
    }

    /**
     * Real ids for `{id}` in paths, so a probe reaches validation on an object that exists (a route may
     * look the id up before reading its body): the collection's first item, else 1 (root, or nothing).
     */
    async function concretePath(path: string): Promise<string> {
      const collection = path.slice(0, path.indexOf('/{'))
      if (!path.includes('/{')) return path
      if (ids[collection] === undefined) {
        const listed = (await (await send('GET', collection, undefined)).json().catch(() => ({}))) as
          | { items?: Array<{ id?: number }> }
          | Array<{ id?: number }>
        const first = Array.isArray(listed) ? listed[0] : listed.items?.[0]
        ids[collection] = first?.id ?? 1
      }
      return path.replaceAll(/\{[^}]+\}/g, String(ids[collection]))
    }

    beforeAll(async () => {
      gateway = await startGateway(backend)
      // The minimum fixture: one object per collection whose routes take an id, so PATCH and the
      // channel test address something real. The channel points at a closed port: nothing leaves.
      await gateway.createUser({ username: 'probe-user', quota: 1000 })
      await gateway.createChannel({ name: 'probe-channel', type: 'openai', key: 'sk-probe-0000', baseUrl: 'http://127.0.0.1:9', models: ['gpt-4o-mini'] })
      await gateway.createToken({ name: 'probe-token', quota: 1000 })
      await gateway.admin('POST', '/api/redemptions', { name: 'probe-code', quota: 1000 })
      document = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as typeof document
    })
    afterAll(async () => {
      await gateway.stop()
    })

    test('every property of every JSON write body refuses bad values with a 400 naming it, and nothing changes', async () => {
      const operations = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/api/'))
        .flatMap(([path, methods]) =>
          Object.entries(methods)
            // Relay routes (x-relay) take a dialect's wire format, whose unknown fields go upstream by design; the relay suites cover their validation.
            .filter(
              ([method, operation]) =>
                ['post', 'put', 'patch'].includes(method) && !operation['x-relay'] && operation.requestBody?.content?.['application/json']?.schema,
            )
            .map(([method, operation]) => ({ method: method.toUpperCase(), path, schema: operation.requestBody!.content!['application/json']!.schema! })),
        )
      expect(operations.length).toBeGreaterThan(15)
      const before = await snapshot()
      const failures: string[] = []
      let probed = 0
      for (const { method, path, schema: body } of operations) {
        const name = `${method} ${path}`
        const base = valid(body, 'body') as Record<string, unknown>
        const probes = [
          ...Object.entries(body.properties ?? {}).flatMap(([property, propertySchema]) => probesFor(name, base, [property], propertySchema)),
          { operation: name, field: UNKNOWN_FIELD, what: 'an unknown field', body: { ...base, [UNKNOWN_FIELD]: 1 } },
        ]
        const target = await concretePath(path)
        for (const probe of probes) {
          probed += 1
          const got = await answer(method, target, probe.body)
          if (got.status !== 400 || got.field !== probe.field || got.code !== 'invalid_request') {
            failures.push(`${probe.operation} ${probe.field} with ${probe.what}: got ${got.status} ${got.code ?? ''} field=${got.field ?? '-'}`)
          }
        }
      }
      expect(failures).toEqual([])
      expect(probed).toBeGreaterThan(100)
      expect(await snapshot()).toEqual(before)
    }, 120_000)

    test('free text stores an injection look-alike literally', async () => {
      const channel = await gateway.admin<{ id: number; name: string }>('POST', '/api/channels', {
        name: INJECTION,
        type: 'openai',
        key: 'sk-probe-0000',
        baseUrl: 'http://127.0.0.1:9',
        models: ['gpt-4o-mini'],
      })
      expect((await gateway.admin<{ name: string }>('GET', `/api/channels/${channel.id}`)).name).toBe(INJECTION)
      const token = await gateway.admin<{ id: number }>('POST', '/api/tokens', { name: INJECTION })
      expect((await gateway.admin<{ name: string }>('GET', `/api/tokens/${token.id}`)).name).toBe(INJECTION)
      const userId = await gateway.createUser({ username: 'free-text', quota: 0 })
      await gateway.admin('PATCH', `/api/users/${userId}`, { displayName: INJECTION, reason: INJECTION, quotaDelta: 5 })
      expect((await gateway.admin<{ displayName: string }>('GET', `/api/users/${userId}`)).displayName).toBe(INJECTION)
      const codes = await gateway.admin<{ items: Array<{ id: number }> }>('POST', '/api/redemptions', { name: INJECTION, quota: 10 })
      const listed = await gateway.admin<{ items: Array<{ id: number; name: string }> }>('GET', `/api/redemptions?q=${encodeURIComponent(INJECTION)}`)
      expect(listed.items.map((item) => [item.id, item.name])).toEqual([[codes.items[0]!.id, INJECTION]])
      const created = await gateway.admin<{ id: number; name: string }>('POST', '/api/users/me/access-tokens', { name: INJECTION, scope: 'read' })
      expect(created.name).toBe(INJECTION)
      expect((await gateway.admin<Array<{ id: number; name: string }>>('GET', '/api/users/me/sessions')).find((row) => row.id === created.id)?.name).toBe(
        INJECTION,
      )
      const [row] = await gateway.context.database.db.select({ value: count() }).from(users)
      expect(row!.value).toBe(3)
    })
  })
}
