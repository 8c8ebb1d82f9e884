import { fileURLToPath } from 'node:url'
import { Elysia } from 'elysia'
import { dashboardSource, type DashboardBuild, type DashboardFile } from './dashboard-files.ts'
import { chooseEncoding, isReservedPath, looksLikeFile } from './serving-rules.ts'

/** Where `npm run build:admin` writes the dashboard. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../admin/dist', import.meta.url))

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashboard not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:10vh auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}</style></head>
<body><h1>The dashboard is not built</h1>
<p>This gateway is running, but the web dashboard has not been built yet.</p>
<p>Run <code>npm run build:admin</code> (or start the gateway with <code>npm start</code>, which builds it when needed), then reload this page.</p>
<p>The admin API is available at <code>/api</code>, its documentation at <a href="/swagger">/swagger</a>.</p>
</body></html>
`

async function send(build: DashboardBuild, file: DashboardFile, request: Request): Promise<Response> {
  const encoding = chooseEncoding(request.headers.get('accept-encoding'), file.encodings)
  const bytes = await build.read(file, encoding)
  const headers = new Headers({ 'content-type': file.contentType, 'cache-control': file.cacheControl, 'content-length': String(bytes.byteLength) })
  if (file.encodings.size > 0) headers.set('vary', 'accept-encoding')
  if (encoding) headers.set('content-encoding', encoding)
  return new Response(request.method === 'HEAD' ? null : bytes, { status: 200, headers })
}

/**
 * Serves the built dashboard at `/`: hashed assets cached for a year and sent precompressed (brotli or
 * gzip, written at build time), index.html revalidated on every load and returned for every other
 * GET/HEAD outside the API (client-side routes). Without a build, a 503 page says how to build it.
 */
export function dashboardRoutes(options: { dir?: string } = {}) {
  const source = dashboardSource(options.dir ?? DEFAULT_DASHBOARD_DIR)
  const serve = async ({ request }: { request: Request }): Promise<Response | undefined> => {
    const pathname = new URL(request.url).pathname
    if (isReservedPath(pathname)) return undefined
    const build = source.current()
    if (!build)
      return new Response(request.method === 'HEAD' ? null : NOT_BUILT_PAGE, {
        status: 503,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '30' },
      })
    const file = build.files.get(pathname.slice(1))
    if (file && file !== build.index) return send(build, file, request)
    // A missing file is a plain 404 (a stale script URL must not get HTML); other paths are app routes.
    if (looksLikeFile(pathname) && pathname !== '/index.html') return undefined
    return send(build, build.index, request)
  }
  // Served from the not-found path rather than a `/*` route: a GET wildcard would outrank every
  // module's own catch-all (such as the admin API's JSON 404 for unknown /api paths).
  return new Elysia({ name: 'dashboard' }).onError({ as: 'global' }, ({ code, request }) => {
    if (code !== 'NOT_FOUND' || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined
    return serve({ request })
  })
}
