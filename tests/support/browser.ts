// A minimal browser for sign-in flows: a cookie jar that honours Path, Max-Age=0 and host (not port,
// like real browsers), and redirects followed by hand so tests can see every hop.

interface StoredCookie {
  name: string
  value: string
  host: string
  path: string
  httpOnly: boolean
}

/** One hop of a followed redirect chain. */
export interface Hop {
  url: string
  status: number
  location: string | null
}

/** A cookie-keeping HTTP client that follows redirects one hop at a time. */
export interface TestBrowser {
  /** One request with the jar's cookies; Set-Cookie answers go into the jar; redirects are not followed. */
  request(url: string, init?: RequestInit): Promise<Response>
  /**
   * GETs `url` and follows redirects until an answer that is not a redirect, or a redirect to a
   * dashboard page of `stopAt` (any path outside /api): returns the hops and where it ended.
   */
  follow(url: string, stopAt: string): Promise<{ hops: Hop[]; final: string; response: Response | undefined }>
  /** A cookie's value for a URL, if the jar would send it there. */
  cookie(url: string, name: string): string | undefined
  /** Every cookie name the jar holds. */
  names(): string[]
}

function parseSetCookie(header: string, url: URL): StoredCookie & { remove: boolean } {
  const [pair = '', ...attributes] = header.split(';')
  const eq = pair.indexOf('=')
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), host: url.hostname, path: '/', httpOnly: false, remove: false }
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=').map((part) => part.trim())
    if (key.toLowerCase() === 'path') cookie.path = value || '/'
    if (key.toLowerCase() === 'httponly') cookie.httpOnly = true
    if (key.toLowerCase() === 'max-age' && Number(value) <= 0) cookie.remove = true
  }
  return cookie
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (cookiePath === '/' || requestPath === cookiePath) return true
  return requestPath.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`)
}

/** A fresh browser with an empty jar. */
export function createBrowser(): TestBrowser {
  let jar: StoredCookie[] = []

  const applicable = (url: URL) => jar.filter((cookie) => cookie.host === url.hostname && pathMatches(cookie.path, url.pathname))

  async function request(target: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(target)
    const headers = new Headers(init.headers)
    const cookies = applicable(url)
    if (cookies.length > 0) headers.set('cookie', cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; '))
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header, url)
      jar = jar.filter((stored) => !(stored.name === cookie.name && stored.host === cookie.host && stored.path === cookie.path))
      if (!cookie.remove) jar.push(cookie)
    }
    return response
  }

  return {
    request,
    async follow(start, stopAt) {
      const hops: Hop[] = []
      let current = start
      for (let step = 0; step < 10; step += 1) {
        const response = await request(current, { headers: { accept: 'text/html' } })
        const location = response.headers.get('location')
        hops.push({ url: current, status: response.status, location })
        if (response.status < 300 || response.status >= 400 || !location) return { hops, final: current, response }
        await response.arrayBuffer()
        const next = new URL(location, current)
        if (next.origin === new URL(stopAt).origin && !next.pathname.startsWith('/api/'))
          return { hops, final: `${next.pathname}${next.search}`, response: undefined }
        current = next.toString()
      }
      throw new Error(`too many redirects: ${hops.map((hop) => hop.url).join(' → ')}`)
    },
    cookie(target, name) {
      return applicable(new URL(target)).find((cookie) => cookie.name === name)?.value
    },
    names: () => jar.map((cookie) => cookie.name),
  }
}
