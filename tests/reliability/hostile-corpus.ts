import { deflateSync, gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib'

// The hostile input corpus (issue 14 item 4): pure functions turning the gateway's OpenAPI documents
// (admin: /swagger/json, relay: /swagger/relay/json) and its relay route list into probes, so a route
// added later is probed without anyone editing this file. Each probe is one HTTP request whose answer
// must be a clear 4xx in the API's own error format; hostile-input.test.ts sends them and checks that no
// row changed. The long campaign (`npm run chaos -- --campaign hostile`) asks for more values and bigger bombs.

/** A JSON schema as the documents publish it, as far as probing needs. */
export interface ProbeSchema {
  type?: string | string[]
  properties?: Record<string, ProbeSchema>
  required?: string[]
  items?: ProbeSchema
  anyOf?: ProbeSchema[]
  oneOf?: ProbeSchema[]
  const?: unknown
  enum?: unknown[]
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
}

/** One route of either document. */
export interface ProbedOperation {
  method: string
  /** OpenAPI path with `{name}` parameters. */
  path: string
  surface: 'admin' | 'relay'
  /** Query parameters and their schemas. */
  query: Array<{ name: string; schema: ProbeSchema }>
  /** The JSON body schema, when the route takes one. */
  body?: ProbeSchema
}

/** One request of the corpus. */
export interface Probe {
  /** `METHOD path: what` for failure lists. */
  name: string
  /** What kind of hostility, for the figures. */
  family: string
  method: string
  /** Path and query, already encoded as sent. */
  target: string
  surface: 'admin' | 'relay'
  headers: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer>
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: ProbeSchema }>
  requestBody?: { content?: Record<string, { schema?: ProbeSchema }> }
}

/** Every operation of an OpenAPI document, with its query parameters and JSON body schema. */
export function operationsOf(document: { paths: Record<string, Record<string, unknown>> }, surface: 'admin' | 'relay'): ProbedOperation[] {
  const operations: ProbedOperation[] = []
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const operation = raw as OpenApiOperation
      const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map(({ name, schema }) => ({ name, schema: schema ?? {} }))
      const body = operation.requestBody?.content?.['application/json']?.schema
      operations.push({ method: method.toUpperCase(), path, surface, query, body })
    }
  }
  return operations
}

/** Relay routes the registry serves that the relay document does not list yet (`:name` parameters as `{name}`). */
export function missingRelayRoutes(listed: ProbedOperation[], routes: Array<{ method: string; path: string }>): ProbedOperation[] {
  const known = new Set(listed.map((operation) => `${operation.method} ${operation.path}`))
  return routes
    .map((route) => ({ method: route.method.toUpperCase(), path: route.path.replaceAll(/:([A-Za-z_]+)/g, '{$1}') }))
    .filter((route) => !known.has(`${route.method} ${route.path}`))
    .map((route) => ({ ...route, surface: 'relay' as const, query: [], body: route.method === 'GET' ? undefined : {} }))
}

/** The schema with a nullable/union wrapper opened: its first branch that is not null. */
function primary(schema: ProbeSchema): ProbeSchema {
  const branches = schema.anyOf ?? schema.oneOf
  if (!branches) return schema
  return primary(branches.find((branch) => branch.type !== 'null') ?? schema)
}

function typeOf(schema: ProbeSchema): string | undefined {
  const shape = primary(schema)
  return Array.isArray(shape.type) ? shape.type.find((entry) => entry !== 'null') : shape.type
}

/** The top-level properties of a body schema by JSON type: numbers (with integer-ness) and strings. */
export function fieldsOf(body: ProbeSchema | undefined): Array<{ name: string; type: string; schema: ProbeSchema }> {
  const shape = body ? primary(body) : {}
  return Object.entries(shape.properties ?? {}).map(([name, schema]) => ({ name, type: typeOf(schema) ?? 'any', schema: primary(schema) }))
}

/** `depth` levels of nested objects (`{"a":{"a":…}}`), built as text so nothing recurses. */
export function deeplyNested(depth: number, open = '{"a":', close = '}'): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`
}

/** A compressed body of `inflatedBytes` of JSON whitespace: tiny on the wire, huge once inflated. */
export function compressionBomb(encoding: 'gzip' | 'deflate' | 'br', inflatedBytes: number): Uint8Array<ArrayBuffer> {
  const plain = Buffer.alloc(inflatedBytes, 0x20)
  plain.write('{"a":1', 0)
  const packed =
    encoding === 'gzip'
      ? gzipSync(plain, { level: 9 })
      : encoding === 'deflate'
        ? deflateSync(plain, { level: 9 })
        : brotliCompressSync(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } })
  return new Uint8Array(packed)
}

/** Values that must never become a quota, price or count: beyond a double, beyond int64, beyond 2^53, not integers. */
export const NUMBER_PROBES: Array<{ what: string; text: string; integerOnly?: boolean }> = [
  { what: '1e309 (Infinity once parsed)', text: '1e309' },
  { what: '-1e309', text: '-1e309' },
  { what: '2^64', text: '18446744073709551616' },
  { what: '-2^63 - 1', text: '-9223372036854775809' },
  { what: '2^53 + 1', text: '9007199254740993', integerOnly: true },
  { what: 'a fraction where an integer belongs', text: '0.5', integerOnly: true },
]

/** Strings no name or filter should take: NUL (PostgreSQL cannot store it), and a lone surrogate (not Unicode text). */
export const STRING_PROBES: Array<{ what: string; json: string }> = [
  { what: 'NUL in a string', json: '"evil\\u0000name"' },
  { what: 'a lone surrogate', json: '"evil\\ud800name"' },
]

/** SQL-injection attempts for filter and sort parameters. */
export const INJECTIONS: string[] = ["' OR '1'='1", '1; DROP TABLE users; --', 'id desc; delete from tokens', "name') union select password_hash from users--"]

/** Path segments that try to leave their route. */
export const TRAVERSALS: string[] = [
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fpackage.json',
  '..%5c..%5cwindows%5cwin.ini',
  '%ED%A0%80',
  '%E2%80%AE%E2%80%8B1',
]

/** The path with every `{parameter}` replaced by `value`. */
export function fill(path: string, value: string): string {
  return path.replaceAll(/\{[^}]+\}/g, value)
}

/** A JSON body text: the route's required fields with harmless values, and `field` set to the raw JSON `value`. */
export function bodyWith(body: ProbeSchema | undefined, field: string, valueJson: string): string {
  const shape = body ? primary(body) : {}
  const members = (shape.required ?? [])
    .filter((name) => name !== field)
    .map((name) => `${JSON.stringify(name)}:${JSON.stringify(harmless(shape.properties?.[name] ?? {}))}`)
  members.push(`${JSON.stringify(field)}:${valueJson}`)
  return `{${members.join(',')}}`
}

/** A plain value of the schema's type (not necessarily valid: the probe's own field must be what is refused, and most are). */
function harmless(schema: ProbeSchema): unknown {
  const shape = primary(schema)
  if (shape.const !== undefined) return shape.const
  if (shape.enum) return shape.enum[0]
  const type = typeOf(shape)
  if (type === 'object') return Object.fromEntries((shape.required ?? []).map((name) => [name, harmless(shape.properties?.[name] ?? {})]))
  if (type === 'array') return []
  if (type === 'boolean') return false
  if (type === 'integer' || type === 'number') return Math.max(1, shape.minimum ?? 1)
  return 'probe-value'
}

/** Options of `probesFor`. */
export interface CorpusOptions {
  /** Size an encoded bomb inflates to (CI: 40 MB, ten times the test body limit; long: 256 MB). */
  bombBytes: number
  /** Nesting depth of the deep bodies. */
  depth: number
}

/** Every probe for one operation: body, numbers, strings, path and query hostility. */
export function probesFor(operation: ProbedOperation, options: CorpusOptions, bombs: Record<'gzip' | 'deflate' | 'br', Uint8Array<ArrayBuffer>>): Probe[] {
  const probes: Probe[] = []
  const base = fill(operation.path, '1')
  const json = { 'content-type': 'application/json' }
  const add = (family: string, what: string, target: string, body?: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = json) =>
    probes.push({ name: `${operation.method} ${operation.path}: ${what}`, family, method: operation.method, target, surface: operation.surface, headers, body })

  if (operation.body) {
    add('malformed JSON', 'malformed JSON', base, '{"model": "gpt-4o-mini", "messages": [')
    add('deep nesting', `${options.depth} nested objects`, base, deeplyNested(options.depth))
    add('deep nesting', `${options.depth} nested arrays`, base, `{"a":${deeplyNested(options.depth, '[', ']')}}`)
    add('prototype keys', '__proto__ and constructor keys', base, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')
    for (const [encoding, bomb] of Object.entries(bombs)) add('compression bomb', `${encoding} bomb`, base, bomb, { ...json, 'content-encoding': encoding })
    for (const field of fieldsOf(operation.body)) {
      if (field.type === 'integer' || field.type === 'number') {
        for (const value of NUMBER_PROBES) {
          if (value.integerOnly && field.type !== 'integer') continue
          add('numbers', `${field.name} = ${value.what}`, base, bodyWith(operation.body, field.name, value.text))
        }
      }
      if (field.type === 'string' && !field.schema.enum && field.schema.const === undefined) {
        for (const value of STRING_PROBES) add('strings', `${field.name} with ${value.what}`, base, bodyWith(operation.body, field.name, value.json))
      }
    }
  }
  if (operation.path.includes('{'))
    for (const segment of TRAVERSALS) add('path traversal', `path parameter ${segment}`, fill(operation.path, segment), operation.body ? '{}' : undefined)
  for (const parameter of operation.query) {
    for (const injection of INJECTIONS)
      add('sql injection', `?${parameter.name}=${injection}`, `${base}?${new URLSearchParams({ [parameter.name]: injection })}`)
    add('strings', `?${parameter.name} with NUL`, `${base}?${parameter.name}=evil%00name`)
  }
  return probes
}

/** Paths outside every route that try to reach files: the dashboard's static serving and the API's prefixes. */
export const STATIC_TRAVERSALS: string[] = [
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
  '/assets/..%5c..%5c..%5cpackage.json',
  '/api/..%2f..%2fpackage.json',
  '/v1/..%2f..%2f.env',
  '/swagger/assets/x/..%2f..%2f..%2fpackage.json',
  '/favicon.ico%00.html',
]
