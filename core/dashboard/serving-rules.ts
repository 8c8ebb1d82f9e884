// Pure rules for serving the built dashboard: which paths are the gateway's own, how each file is
// cached, which encoding to send. The I/O lives in dashboard-files.ts and the routes in routes.ts.

/** Path prefixes the dashboard never answers, even for unknown paths under them (they 404 as before). */
export const RESERVED_PREFIXES = ['/api', '/v1', '/v1beta', '/swagger', '/mj', '/suno', '/dashboard/billing', '/health']

/** True for paths that belong to the API, relay or docs, including Midjourney's `/mj-{mode}/mj/…` (mj-fast, mj-relax, mj-turbo). */
export function isReservedPath(pathname: string): boolean {
  if (RESERVED_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) return true
  return /^\/mj-[a-z]+\/mj(\/|$)/.test(pathname)
}

/** Vite's content-hashed output: safe to cache for a year, since a new build has new names. */
export function isHashedAsset(relativePath: string): boolean {
  return relativePath.startsWith('assets/')
}

/** Cache-Control for a file of the build: hashed assets forever, everything else revalidated. */
export function cacheControlFor(relativePath: string): string {
  return isHashedAsset(relativePath) ? 'public, max-age=31536000, immutable' : 'no-cache'
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  txt: 'text/plain; charset=utf-8',
  wasm: 'application/wasm',
}

/** The Content-Type of a file by its extension. */
export function contentTypeFor(relativePath: string): string {
  const extension = relativePath.slice(relativePath.lastIndexOf('.') + 1).toLowerCase()
  return CONTENT_TYPES[extension] ?? 'application/octet-stream'
}

/** A precompressed variant a client can take. */
export type Encoding = 'br' | 'gzip'

/**
 * The best precompressed variant the client accepts (brotli before gzip), honouring `q=0`;
 * undefined means send the file as it is.
 */
export function chooseEncoding(acceptEncoding: string | null, available: ReadonlySet<Encoding>): Encoding | undefined {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined)
    accepted.set(name, q === undefined ? 1 : Number(q))
  }
  const allows = (encoding: Encoding) => (accepted.get(encoding) ?? accepted.get('*') ?? 0) > 0
  return (['br', 'gzip'] as const).find((encoding) => available.has(encoding) && allows(encoding))
}

/** True for a request path that names a file (an extension, or a dotfile), so a miss is a 404, not the app. */
export function looksLikeFile(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1)
  return last.startsWith('.') || /\.[A-Za-z0-9]+$/.test(last)
}
