import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openApiDocument } from '../../scripts/generate-api-client.ts'

// The admin API's OpenAPI document as a contract: it lints clean under redocly.yaml (Redocly's
// recommended rules, warnings as errors), and every /api operation carries what the dashboard's
// generated client and automation rely on. Routes added later are held to the same rules.

const root = fileURLToPath(new URL('../../', import.meta.url))
const redocly = join(root, 'node_modules/.bin/redocly')

interface Operation {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: Array<Record<string, string[]>>
  requestBody?: { content?: Record<string, { schema?: { type?: unknown; $ref?: string } }> }
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>
  'x-required-role'?: string
}
interface Document {
  tags?: Array<{ name: string; description?: string }>
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
}

/** POST routes that read no body: the request itself is the action. */
const BODYLESS = new Set([
  'POST /api/auth/logout', // revokes the credential the request was made with
  'POST /api/users/me/two-factor/setup', // issues a new secret for the signed-in user
  'POST /api/users/{id}/reset-password', // the new password is generated, never chosen by the caller
  'POST /api/channels/{id}/balance/refresh', // reads the channel's upstream balance now
  'POST /api/channels/balances/refresh', // reads every readable channel's upstream balance now
])

describe('OpenAPI contract', () => {
  let document: Document
  let operations: Array<{ key: string; method: string; path: string; operation: Operation }>
  let directory: string

  beforeAll(async () => {
    document = (await openApiDocument()) as unknown as Document
    operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, operation })),
      )
    directory = mkdtempSync(join(tmpdir(), 'hanggent-openapi-'))
  })
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true })
  })

  test('redocly lint finds no problem', async () => {
    const file = join(directory, 'openapi.json')
    writeFileSync(file, JSON.stringify(document, null, 2))
    const lint = Bun.spawn([redocly, 'lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json'], {
      cwd: directory,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    })
    const [output, errors, exitCode] = await Promise.all([new Response(lint.stdout).text(), new Response(lint.stderr).text(), lint.exited])
    const report = JSON.parse(output.slice(output.indexOf('{'))) as {
      totals: { errors: number; warnings: number }
      problems: Array<{ ruleId: string; message: string; location: Array<{ pointer?: string }> }>
    }
    const problems = report.problems.map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer ?? '?'}`)
    expect(problems).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
    expect({ exitCode, errors: exitCode === 0 ? '' : errors }).toEqual({ exitCode: 0, errors: '' })
  }, 60_000)

  test('every operation has a unique operationId, a summary and tags declared at the top with a description', () => {
    expect(operations.length).toBeGreaterThan(30)
    const ids = operations.map(({ operation }) => operation.operationId ?? '')
    expect(ids.filter((id) => id === '')).toEqual([])
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([])
    const declared = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description ?? '']))
    const problems = operations.flatMap(({ key, operation }) => [
      ...(operation.summary ? [] : [`${key}: no summary`]),
      ...((operation.tags ?? []).length === 0 ? [`${key}: no tags`] : []),
      ...(operation.tags ?? []).filter((tag) => !declared.get(tag)).map((tag) => `${key}: tag "${tag}" is not declared with a description`),
    ])
    expect(problems).toEqual([])
  })

  test('security matches the declared role: empty for public routes, defined schemes for the rest', () => {
    const schemes = new Set(Object.keys(document.components?.securitySchemes ?? {}))
    const problems = operations.flatMap(({ key, operation }) => {
      const security = operation.security
      if (!Array.isArray(security)) return [`${key}: no security entry`]
      if (operation['x-required-role'] === 'public') return security.length === 0 ? [] : [`${key}: public, but security is not empty`]
      if (security.length === 0) return [`${key}: role ${operation['x-required-role']} but no security requirement`]
      return security
        .flatMap((requirement) => Object.keys(requirement))
        .filter((name) => !schemes.has(name))
        .map((name) => `${key}: undefined scheme ${name}`)
    })
    expect(problems).toEqual([])
  })

  test('writes declare a JSON object body; only the listed actions take none', () => {
    const problems = operations
      .filter(({ method }) => ['POST', 'PUT', 'PATCH'].includes(method))
      .flatMap(({ key, operation }) => {
        const schema = operation.requestBody?.content?.['application/json']?.schema
        if (!operation.requestBody) return BODYLESS.has(key) ? [] : [`${key}: no request body`]
        if (BODYLESS.has(key)) return [`${key}: listed as bodyless but declares a body`]
        return schema?.type === 'object' ? [] : [`${key}: request body is not a JSON object schema`]
      })
    expect(problems).toEqual([])
  })

  test('every operation documents a success and the admin errors, all referencing the shared AdminError schema', () => {
    expect(document.components?.schemas?.AdminError).toMatchObject({ type: 'object', required: ['error'] })
    const problems = operations.flatMap(({ key, operation }) => {
      const responses = operation.responses ?? {}
      const statuses = Object.keys(responses)
      const required = operation['x-required-role'] === 'public' ? ['400'] : ['400', '401', '403']
      return [
        ...(statuses.some((status) => status.startsWith('2')) ? [] : [`${key}: no success response`]),
        ...required.filter((status) => !responses[status]).map((status) => `${key}: no ${status} response`),
        ...statuses
          .filter((status) => Number(status) >= 400)
          .filter((status) => responses[status]?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/AdminError')
          .map((status) => `${key}: ${status} does not reference AdminError`),
      ]
    })
    expect(problems).toEqual([])
  })
})
