import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// GET /api/system/runtime: process health for operators and the relay benchmark, admins only.

interface Runtime {
  rssBytes: number
  heapUsedBytes: number
  heapTotalBytes: number
  uptimeSeconds: number
  eventLoopLagMs: { windowSeconds: number; p50: number; p99: number; max: number; samples: number }
}

describe('system runtime route', () => {
  let gateway: TestGateway

  beforeAll(async () => {
    gateway = await startGateway()
    await gateway.createUser({ username: 'plain-user', quota: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
  })

  test('a user is refused, a stranger must sign in', async () => {
    const login = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'plain-user', password: 'password-123' }),
    })
    const { accessToken } = (await login.json()) as { accessToken: string }
    expect((await fetch(`${gateway.url}/api/system/runtime`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(403)
    expect((await fetch(`${gateway.url}/api/system/runtime`)).status).toBe(401)
  })

  test('an admin reads sane memory, uptime and lag figures', async () => {
    // Give the 10 ms sampler a few ticks.
    await Bun.sleep(250)
    const runtime = await gateway.admin<Runtime>('GET', '/api/system/runtime?windowSeconds=5')
    expect(runtime.rssBytes).toBeGreaterThan(10 * 1024 * 1024)
    expect(runtime.heapUsedBytes).toBeGreaterThan(0)
    expect(runtime.heapTotalBytes).toBeGreaterThan(0)
    expect(runtime.uptimeSeconds).toBeGreaterThan(0)
    const lag = runtime.eventLoopLagMs
    expect(lag.windowSeconds).toBe(5)
    expect(lag.samples).toBeGreaterThan(5)
    expect(lag.p50).toBeGreaterThanOrEqual(0)
    expect(lag.p50).toBeLessThanOrEqual(lag.p99)
    expect(lag.p99).toBeLessThanOrEqual(lag.max)
  })

  test('the window is bounded: 0 and 121 seconds are 400 naming the parameter', async () => {
    for (const windowSeconds of [0, 121]) {
      const response = await gateway.adminResponse('GET', `/api/system/runtime?windowSeconds=${windowSeconds}`)
      expect(response.status).toBe(400)
      expect(((await response.json()) as { error: { field?: string } }).error.field).toBe('windowSeconds')
    }
  })
})
