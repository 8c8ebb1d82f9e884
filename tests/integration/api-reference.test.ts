import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { buildContext, closeContext } from '../../core/build-context.ts'
import { loadConfig } from '../../core/config.ts'
import { createServer } from '../../core/server.ts'
import type { AppContext } from '../../core/app-context.ts'
import { relayNativeRoutes } from '../../core/relay/native-routes.ts'
import { relayRoutes } from '../../core/relay/routes.ts'
import { billingRoutes } from '../../core/relay/billing-routes.ts'
import { pathShape } from '../../core/relay/relay-openapi.ts'
import { realtimeSessionRoutes } from '../../core/realtime/realtime-session-routes.ts'
import { REALTIME_PATH } from '../../core/realtime/realtime-route.ts'
import { swaggerUiPackage } from '../../core/api-reference-ui.ts'

// /swagger serves its UI from the installed swagger-ui-dist (no CDN, so it works offline), with the
// right types and caching; /swagger/relay/json documents every relay route the gateway answers
// (native Bun routes and their Elysia copies) and lints clean like the admin document.

const root = fileURLToPath(new URL('../../', import.meta.url))

interface RelayOperation {
  operationId: string
  summary: string
  tags: string[]
  security: Array<Record<string, string[]>>
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> }
  responses: Record<string, { content?: Record<string, { example?: unknown }> }>
}
interface RelayDocument {
  paths: Record<string, Record<string, RelayOperation>>
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> }
}

describe('API reference', () => {
  let context: AppContext
  let app: Awaited<ReturnType<typeof createServer>>['app']
  let services: Awaited<ReturnType<typeof createServer>>['services']
  const get = (path: string, headers: Record<string, string> = {}) => app.handle(new Request(`http://local${path}`, { headers }))

  beforeAll(async () => {
    context = await buildContext(loadConfig({ DATA_DIR: 'memory://', CRYPTO_SECRET: 'api-reference-secret-0123456789', LOG_LEVEL: 'error' }))
    ;({ app, services } = await createServer(context))
  }, 30_000)
  afterAll(async () => {
    if (context) await closeContext(context)
  })

  test('the page loads its UI from the gateway, never from another host', async () => {
    const response = await get('/swagger')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await response.text()
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!)
    expect(loaded.length).toBe(3)
    expect(loaded.filter((url) => !url.startsWith('/swagger/assets/'))).toEqual([])
    expect(html).not.toMatch(/https?:\/\//)
    // No public validator badge either.
    expect(html).toContain('"validatorUrl":null')
  })

  test('assets: the pinned package version in the URL, the right content type, cached for a year, gzip on request', async () => {
    const { version, dir } = swaggerUiPackage()
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    // Pinned: an exact version in package.json, the one installed.
    expect(manifest.dependencies['swagger-ui-dist']).toBe(version)

    const bundle = await get(`/swagger/assets/${version}/swagger-ui-bundle.js`)
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(Buffer.from(await bundle.arrayBuffer()).equals(readFileSync(join(dir, 'swagger-ui-bundle.js')))).toBe(true)

    const css = await get(`/swagger/assets/${version}/swagger-ui.css`, { 'accept-encoding': 'gzip, br' })
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(css.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await css.arrayBuffer())).equals(readFileSync(join(dir, 'swagger-ui.css')))).toBe(true)

    expect((await get(`/swagger/assets/0.0.0/swagger-ui-bundle.js`)).status).toBe(404)
    expect((await get(`/swagger/assets/${version}/package.json`)).status).toBe(404)
    expect((await get(`/swagger/assets/${version}/..%2Fpackage.json`)).status).toBe(404)
  })

  describe('relay document', () => {
    let document: RelayDocument
    beforeAll(async () => {
      const response = await get('/swagger/relay/json')
      expect(response.status).toBe(200)
      document = (await response.json()) as RelayDocument
    })

    test('every relay route the gateway answers is documented, and nothing else', () => {
      // Compared by shape: OpenAPI lists GET /v1/models/{model} and POST /v1/models/{modelAction} under one path.
      const served = new Set<string>()
      for (const [path, methods] of Object.entries(relayNativeRoutes(services)))
        for (const method of Object.keys(methods)) served.add(`${method} ${pathShape(path)}`)
      for (const route of [...relayRoutes(services).routes, ...billingRoutes(services).routes, ...realtimeSessionRoutes(services).routes])
        served.add(`${route.method} ${pathShape(route.path)}`)
      served.add(`GET ${REALTIME_PATH}`)
      const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      expect(operations.map((operation) => operation.replace(/\{\w+\}/g, '{}')).sort()).toEqual([...served].sort())
      const documented = new Set(operations)
      for (const expected of [
        'POST /v1/chat/completions',
        'POST /v1/responses',
        'POST /v1/messages',
        'POST /v1beta/models/{model}',
        'GET /v1/models',
        'GET /v1beta/models',
        'GET /v1/dashboard/billing/subscription',
        'GET /v1/realtime',
        'POST /v1/realtime/sessions',
        'POST /v1/realtime/transcription_sessions',
        'POST /v1/realtime/client_secrets',
      ]) {
        expect(documented.has(expected)).toBe(true)
      }
    })

    test("bodies use the schema the relay validates with, keys where each SDK sends them, errors in the format's own shape", () => {
      const chat = document.paths['/v1/chat/completions']!.post!
      const schemaName = chat.requestBody!.content['application/json']!.schema.$ref!.split('/').at(-1)!
      const validated = JSON.parse(JSON.stringify(context.registry.dialect('openai.chat')!.requestSchema)) as Record<string, unknown>
      expect(document.components.schemas[schemaName]).toEqual(Object.fromEntries(Object.entries(validated).filter(([key]) => key !== '$id')))
      expect(chat.security).toContainEqual({ bearerKey: [] })
      expect(document.paths['/v1/messages']!.post!.security).toContainEqual({ xApiKey: [] })
      expect(document.paths['/v1beta/models/{model}']!.post!.security).toContainEqual({ xGoogApiKey: [] })
      expect(document.paths['/v1beta/models/{model}']!.post!.security).toContainEqual({ keyQuery: [] })
      expect(chat.responses['401']!.content!['application/json']!.example).toMatchObject({ error: { code: 'invalid_api_key' } })
      expect(document.paths['/v1/messages']!.post!.responses['401']!.content!['application/json']!.example).toMatchObject({
        type: 'error',
        error: { type: expect.any(String) },
      })
    })

    test("GET /v1/realtime documents the upgrade: the model query, both key forms, the 101 and the refusals in OpenAI's error JSON", () => {
      const realtime = document.paths['/v1/realtime']!.get! as unknown as {
        parameters: Array<{ name: string; in: string; required: boolean }>
        security: Array<Record<string, unknown>>
        responses: Record<string, { content?: Record<string, { example?: unknown }> }>
      }
      expect(realtime.parameters).toContainEqual(expect.objectContaining({ name: 'model', in: 'query' }))
      expect(realtime.security).toEqual([{ bearerKey: [] }, { realtimeKeyProtocol: [] }])
      expect(document.components.securitySchemes.realtimeKeyProtocol).toMatchObject({ in: 'header', name: 'sec-websocket-protocol' })
      for (const status of ['101', '400', '401', '403', '429']) expect(realtime.responses[status]).toBeDefined()
      expect(realtime.responses['429']!.content!['application/json']!.example).toMatchObject({ error: { code: 'rate_limited' } })
      expect(document.paths['/v1/realtime/client_secrets']!.post!.requestBody!.content['application/json']).toBeDefined()
    })

    test('redocly lint finds no problem', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'hanggent-relay-openapi-'))
      try {
        const file = join(directory, 'relay.json')
        writeFileSync(file, JSON.stringify(document, null, 2))
        const lint = Bun.spawn([join(root, 'node_modules/.bin/redocly'), 'lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json'], {
          cwd: directory,
          stdout: 'pipe',
          stderr: 'pipe',
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        })
        const [output, exitCode] = await Promise.all([new Response(lint.stdout).text(), lint.exited])
        const report = JSON.parse(output.slice(output.indexOf('{'))) as {
          problems: Array<{ ruleId: string; message: string; location: Array<{ pointer?: string }> }>
        }
        // Vendor paths are kept as the vendor spells them, so the SDKs find them: Anthropic's count_tokens and OpenAI's
        // realtime transcription_sessions and client_secrets have underscores. A WebSocket upgrade answers 101, never 2xx.
        const allowed = new Set([
          'paths-kebab-case #/paths/~1v1~1messages~1count_tokens',
          'paths-kebab-case #/paths/~1v1~1realtime~1transcription_sessions',
          'paths-kebab-case #/paths/~1v1~1realtime~1client_secrets',
          'operation-2xx-response #/paths/~1v1~1realtime/get/responses',
        ])
        const vendorPath = (problem: { ruleId: string; location: Array<{ pointer?: string }> }) =>
          allowed.has(`${problem.ruleId} ${problem.location[0]?.pointer}`)
        expect(
          report.problems
            .filter((problem) => !vendorPath(problem))
            .map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer ?? '?'}`),
        ).toEqual([])
        expect(exitCode).toBe(report.problems.some(vendorPath) ? 1 : 0)
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    }, 60_000)
  })
})
