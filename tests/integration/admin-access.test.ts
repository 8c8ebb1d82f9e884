import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Access control over every admin route, enumerated from the OpenAPI document: a route added
// without a declared role, or whose role is not enforced, fails here.

type Role = 'public' | 'user' | 'admin' | 'root'
interface Operation {
  method: string
  path: string
  role: Role | undefined
}

const rank: Record<Role, number> = { public: 0, user: 1, admin: 2, root: 3 }

describe('admin API access control', () => {
  let gateway: TestGateway
  const bearer: Partial<Record<Role, string>> = {}
  let operations: Operation[] = []

  async function signIn(username: string): Promise<string> {
    const response = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'password-123' }),
    })
    return ((await response.json()) as { accessToken: string }).accessToken
  }

  beforeAll(async () => {
    gateway = await startGateway()
    await gateway.createUser({ username: 'plain-user', quota: 0 })
    await gateway.admin('POST', '/api/users', { username: 'an-admin', password: 'password-123', role: 'admin' })
    bearer.user = await signIn('plain-user')
    bearer.admin = await signIn('an-admin')
    bearer.root = gateway.context.config.rootAccessToken
    const spec = (await (await fetch(`${gateway.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, { 'x-required-role'?: Role }>> }
    operations = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, role: operation['x-required-role'] })),
      )
  })
  afterAll(async () => {
    await gateway.stop()
  })

  const call = (operation: Operation, token?: string) =>
    fetch(`${gateway.url}${operation.path.replaceAll(/\{[^}]+\}/g, '999999')}`, {
      method: operation.method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: operation.method === 'GET' || operation.method === 'DELETE' ? undefined : '{}',
    })

  test('the document lists the admin routes, each with a declared role', () => {
    expect(operations.length).toBeGreaterThan(20)
    const undeclared = operations
      .filter((operation) => !operation.role || !(operation.role in rank))
      .map((operation) => `${operation.method} ${operation.path}`)
    expect(undeclared).toEqual([])
  })

  test('every route enforces its role for anonymous callers, users, admins and root', async () => {
    const violations: string[] = []
    // Signing out would revoke the probing tokens; it is probed anonymously only.
    const probed = operations.filter((operation) => operation.path !== '/api/auth/logout')
    for (const operation of probed) {
      const required = operation.role as Role
      for (const caller of ['public', 'user', 'admin', 'root'] as const) {
        const status = (await call(operation, caller === 'public' ? undefined : bearer[caller])).status
        const allowed = rank[caller] >= rank[required]
        const expected = allowed ? 'neither 401 nor 403' : caller === 'public' ? '401' : '403'
        const ok = allowed ? status !== 401 && status !== 403 : status === (caller === 'public' ? 401 : 403)
        if (!ok) violations.push(`${operation.method} ${operation.path} as ${caller}: got ${status}, expected ${expected}`)
      }
    }
    expect((await call({ method: 'POST', path: '/api/auth/logout', role: 'user' })).status).toBe(401)
    expect(violations).toEqual([])
  })

  test("a user never sees another user's tokens or logs, and an admin cannot demote root", async () => {
    await gateway.createToken({ name: 'root-only' })
    const asUser = await fetch(`${gateway.url}/api/tokens?all=true`, { headers: { authorization: `Bearer ${bearer.user}` } })
    expect(((await asUser.json()) as { items: unknown[] }).items).toEqual([])
    const logs = await fetch(`${gateway.url}/api/logs?pageSize=100`, { headers: { authorization: `Bearer ${bearer.user}` } })
    const plainId = (await (await fetch(`${gateway.url}/api/users/me`, { headers: { authorization: `Bearer ${bearer.user}` } })).json()) as { id: number }
    expect(((await logs.json()) as { items: Array<{ userId: number | null }> }).items.every((entry) => entry.userId === plainId.id)).toBe(true)
    const root = await gateway.admin<{ items: Array<{ id: number }> }>('GET', '/api/users?role=root')
    const demote = await fetch(`${gateway.url}/api/users/${root.items[0]!.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${bearer.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'user' }),
    })
    expect(demote.status).toBe(403)
  })
})
