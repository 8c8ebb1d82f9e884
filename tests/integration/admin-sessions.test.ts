import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Dashboard sessions: a signed HttpOnly cookie, CSRF-checked writes, listing and revoking sessions,
// and an account lock after repeated failed sign-ins.

describe('session cookies', () => {
  let gateway: TestGateway

  const login = (username: string, password: string, session = true) =>
    fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, session }),
    })

  function cookiesOf(response: Response): { header: string; csrf: string; session: string } {
    const values = response.headers.getSetCookie()
    const pick = (name: string) =>
      values
        .find((value) => value.startsWith(`${name}=`))
        ?.split(';')[0]
        ?.slice(name.length + 1) ?? ''
    const session = pick('hanggent_session')
    const csrf = pick('hanggent_csrf')
    return { header: `hanggent_session=${session}; hanggent_csrf=${csrf}`, csrf, session }
  }

  beforeAll(async () => {
    gateway = await startGateway()
    await gateway.createUser({ username: 'browser-user', quota: 0 })
    await gateway.createUser({ username: 'locked-user', quota: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
  })

  test('sign-in sets an HttpOnly, SameSite=Lax session cookie; it authenticates reads', async () => {
    const response = await login('browser-user', 'password-123')
    expect(response.status).toBe(200)
    const setCookies = response.headers.getSetCookie()
    const session = setCookies.find((value) => value.startsWith('hanggent_session='))
    expect(session).toContain('HttpOnly')
    expect(session).toContain('SameSite=Lax')
    expect(session).not.toContain('Secure')
    const { header } = cookiesOf(response)
    const me = await fetch(`${gateway.url}/api/users/me`, { headers: { cookie: header } })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { username: string }).username).toBe('browser-user')
  })

  test('behind HTTPS the cookie is Secure', async () => {
    const response = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'browser-user', password: 'password-123', session: true }),
    })
    expect(response.headers.getSetCookie().every((value) => value.includes('Secure'))).toBe(true)
  })

  test('writes with the cookie need the CSRF header; a forged or tampered cookie is nobody', async () => {
    const { header, csrf, session } = cookiesOf(await login('browser-user', 'password-123'))
    const create = (headers: Record<string, string>) =>
      fetch(`${gateway.url}/api/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: header, ...headers },
        body: JSON.stringify({ name: 'from the browser' }),
      })
    expect((await create({})).status).toBe(403)
    expect((await create({ 'x-csrf-token': 'guess' })).status).toBe(403)
    expect((await create({ 'x-csrf-token': csrf })).status).toBe(201)
    const tampered = `hanggent_session=${session.slice(0, -2)}xx; hanggent_csrf=${csrf}`
    expect((await fetch(`${gateway.url}/api/users/me`, { headers: { cookie: tampered } })).status).toBe(401)
  })

  test('sessions are listed with the current one marked, and a revoked session stops working', async () => {
    const first = cookiesOf(await login('browser-user', 'password-123'))
    const second = cookiesOf(await login('browser-user', 'password-123'))
    const sessions = (await (await fetch(`${gateway.url}/api/users/me/sessions`, { headers: { cookie: first.header } })).json()) as Array<{
      id: number
      current: boolean
      name: string
    }>
    const current = sessions.filter((session) => session.current)
    expect(current.length).toBe(1)
    const other = sessions.find((session) => !session.current && session.name === 'session')!
    const revoke = await fetch(`${gateway.url}/api/users/me/sessions/${other.id}`, {
      method: 'DELETE',
      headers: { cookie: first.header, 'x-csrf-token': first.csrf },
    })
    expect(revoke.status).toBe(204)
    const stillIn = [first, second].map(async (cookies) => (await fetch(`${gateway.url}/api/users/me`, { headers: { cookie: cookies.header } })).status)
    const statuses = await Promise.all(stillIn)
    expect(statuses.sort()).toEqual([200, 401])
    const logout = await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers: { cookie: first.header, 'x-csrf-token': first.csrf } })
    expect(logout.status).toBe(204)
    expect(logout.headers.getSetCookie().some((value) => value.startsWith('hanggent_session=;') && value.includes('Max-Age=0'))).toBe(true)
    expect((await fetch(`${gateway.url}/api/users/me`, { headers: { cookie: first.header } })).status).toBe(401)
  })

  test('personal access tokens: shown once, read-only scope enforced, revocable', async () => {
    const { header, csrf } = cookiesOf(await login('browser-user', 'password-123'))
    const create = (body: unknown) =>
      fetch(`${gateway.url}/api/users/me/access-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: header, 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      })
    const read = (await (await create({ name: 'monitoring', scope: 'read' })).json()) as { id: number; token: string; scope: string }
    expect(read.token).toMatch(/^hat_/)
    const asRead = (method: string, path: string, body?: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${read.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    expect((await asRead('GET', '/api/users/me')).status).toBe(200)
    expect((await asRead('POST', '/api/tokens', { name: 'nope' })).status).toBe(403)
    const full = (await (await create({ name: 'deploy-bot', expiresInDays: 30 })).json()) as { token: string; expiresAt: string }
    expect(new Date(full.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000)
    expect(
      (
        await fetch(`${gateway.url}/api/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${full.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'by bot' }),
        })
      ).status,
    ).toBe(201)
    expect((await create({ name: 'login' })).status).toBe(400)
    const listed = JSON.stringify(await (await fetch(`${gateway.url}/api/users/me/sessions`, { headers: { cookie: header } })).json())
    expect(listed).not.toContain(read.token)
    expect(
      (await fetch(`${gateway.url}/api/users/me/sessions/${read.id}`, { method: 'DELETE', headers: { cookie: header, 'x-csrf-token': csrf } })).status,
    ).toBe(204)
    expect((await asRead('GET', '/api/users/me')).status).toBe(401)
  })

  test('five failed sign-ins lock the account for a while, even with the right password', async () => {
    await gateway.admin('PATCH', '/api/options', { rateLimits: { loginPerIpPerMinute: 1000 } })
    for (let i = 0; i < 5; i++) expect((await login('locked-user', 'wrong-password')).status).toBe(401)
    const locked = await login('locked-user', 'password-123')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).not.toBeNull()
    expect((await login('browser-user', 'password-123')).status).toBe(200)
  })
})
