import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { createServer } from '../../core/server.ts'
import { closeContext, createTestContext } from '../support/context.ts'
import type { AppContext } from '../../core/app-context.ts'

// How the gateway serves the built dashboard: caching, content types, precompressed variants, the
// single-page-app fallback, a clear 503 when there is no build, and API paths left alone.

const INDEX =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="app"></div></body></html>'
const SCRIPT = `console.log(${JSON.stringify('dashboard '.repeat(400))})`

function writeBuild(dir: string, index = INDEX): void {
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), index)
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT)
  writeFileSync(join(dir, 'assets', 'index-AbC123.js.br'), brotliCompressSync(SCRIPT))
  writeFileSync(join(dir, 'assets', 'index-AbC123.js.gz'), gzipSync(SCRIPT))
  writeFileSync(join(dir, 'assets', 'logo-Xy9.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  writeFileSync(join(dir, '.source-hash'), 'abc\n')
}

describe('dashboard serving', () => {
  let dir: string
  let context: AppContext
  let app: Awaited<ReturnType<typeof createServer>>['app']
  let bare: Awaited<ReturnType<typeof createServer>>['app']

  const get = (path: string, init: RequestInit = {}) => app.handle(new Request(`http://gateway.test${path}`, init))

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hanggent-dashboard-'))
    writeBuild(dir)
    context = await createTestContext()
    app = (await createServer(context, { dashboardDir: dir })).app
    bare = (await createServer(context, { dashboardDir: join(dir, 'missing') })).app
  })
  afterAll(async () => {
    await closeContext(context)
    rmSync(dir, { recursive: true, force: true })
  })

  test('hashed assets are cached for a year and sent precompressed in the best encoding the client takes', async () => {
    const brotli = await get('/assets/index-AbC123.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(brotli.status).toBe(200)
    expect(brotli.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(brotli.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(brotli.headers.get('content-encoding')).toBe('br')
    expect(brotli.headers.get('vary')).toBe('accept-encoding')
    expect(brotliDecompressSync(Buffer.from(await brotli.arrayBuffer())).toString()).toBe(SCRIPT)

    const gzip = await get('/assets/index-AbC123.js', { headers: { 'accept-encoding': 'gzip, br;q=0' } })
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(SCRIPT)

    const identity = await get('/assets/index-AbC123.js', { headers: { 'accept-encoding': 'identity' } })
    expect(identity.headers.get('content-encoding')).toBeNull()
    expect(await identity.text()).toBe(SCRIPT)

    const svg = await get('/assets/logo-Xy9.svg', { headers: { 'accept-encoding': 'br' } })
    expect([svg.headers.get('content-type'), svg.headers.get('content-encoding'), svg.headers.get('vary')]).toEqual(['image/svg+xml', null, null])
  })

  test('index.html is revalidated on every load and answers every dashboard route', async () => {
    for (const path of ['/', '/index.html', '/channels', '/users/42', '/login?redirect=%2Flogs', '/pricing']) {
      const response = await get(path)
      expect([path, response.status, response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([
        path,
        200,
        'text/html; charset=utf-8',
        'no-cache',
      ])
      expect(await response.text()).toBe(INDEX)
    }
    const head = await get('/tokens', { method: 'HEAD' })
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'text/html; charset=utf-8', ''])
  })

  test('a missing file is a 404, not the app (a stale script URL must not receive HTML)', async () => {
    for (const path of ['/assets/index-Old999.js', '/favicon.ico', '/.source-hash']) {
      const response = await get(path)
      expect([path, response.status, response.headers.get('content-type')?.startsWith('text/html') ?? false]).toEqual([path, 404, false])
    }
  })

  test('API, relay and documentation paths are never answered with the dashboard', async () => {
    const admin = await get('/api/no-such-route')
    expect(admin.status).toBe(404)
    expect(await admin.json()).toEqual({ error: { code: 'not_found', message: 'No route GET /api/no-such-route' } })
    expect((await get('/api/status')).headers.get('content-type')).toContain('application/json')
    expect((await get('/swagger/json')).headers.get('content-type')).toContain('application/json')
    expect(await (await get('/health')).json()).toMatchObject({ status: 'ok' })
    for (const path of [
      '/v1/no-such-route',
      '/v1beta/nothing',
      '/swagger/nothing',
      '/mj/nothing',
      '/mj-fast/mj/nothing',
      '/suno/nothing',
      '/dashboard/billing/nothing',
    ]) {
      const response = await get(path)
      expect([path, response.status, response.headers.get('content-type')?.startsWith('text/html') ?? false]).toEqual([path, 404, false])
    }
    const relay = await get('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(relay.status).toBe(401)
    const write = await get('/channels', { method: 'POST' })
    expect(write.status).toBe(404)
  })

  test('a rebuild while the gateway runs is served without a restart', async () => {
    const second = mkdtempSync(join(tmpdir(), 'hanggent-dashboard-'))
    try {
      writeBuild(second)
      const { app: live } = await createServer(context, { dashboardDir: second })
      expect(await (await live.handle(new Request('http://gateway.test/'))).text()).toBe(INDEX)
      const rebuilt = INDEX.replace('index-AbC123.js', 'index-New456.js')
      writeFileSync(join(second, 'assets', 'index-New456.js'), SCRIPT)
      writeFileSync(join(second, 'index.html'), rebuilt)
      const later = new Date(Date.now() + 5_000)
      utimesSync(join(second, 'index.html'), later, later)
      expect(await (await live.handle(new Request('http://gateway.test/logs'))).text()).toBe(rebuilt)
      expect((await live.handle(new Request('http://gateway.test/assets/index-New456.js'))).status).toBe(200)
    } finally {
      rmSync(second, { recursive: true, force: true })
    }
  })

  test('without a build, dashboard paths get a 503 page saying how to build it, and the API still works', async () => {
    const response = await bare.handle(new Request('http://gateway.test/channels'))
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.text()).toContain('npm run build:admin')
    expect((await bare.handle(new Request('http://gateway.test/api/status'))).status).toBe(200)
    expect((await bare.handle(new Request('http://gateway.test/api/nothing'))).status).toBe(404)
  })
})
