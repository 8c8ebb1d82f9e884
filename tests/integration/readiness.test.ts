import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createServer as createTcpServer } from 'node:net'
import { sql } from 'drizzle-orm'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { checkReadiness, readinessResponse } from '../../core/runtime/readiness.ts'

// `/ready` (issue 16 item 4): a replica is ready when its database answers, its Redis answers (when
// configured) and every shipped migration is applied; otherwise 503 naming what fails. `/health` stays liveness.

interface ReadyBody {
  status: string
  failing?: string[]
  checks: { database: string; redis: string; migrations: string }
}

const ready = async (gateway: TestGateway) => {
  const response = await fetch(`${gateway.url}/ready`)
  return { status: response.status, body: (await response.json()) as ReadyBody }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('/ready', () => {
  const gateways: TestGateway[] = []
  let gateway: TestGateway
  beforeAll(async () => {
    gateway = await start()
  })
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined)
  })
  const start = async (...args: Parameters<typeof startGateway>) => {
    const gateway = await startGateway(...args)
    gateways.push(gateway)
    return gateway
  }

  test('embedded database, no Redis: ready, Redis "not configured"', async () => {
    expect(await ready(gateway)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', redis: 'not configured', migrations: 'ok' } } })
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
  })

  test.skipIf(!process.env.TEST_DATABASE_URL || !process.env.TEST_REDIS_URL)(
    'PostgreSQL and Redis: both checked and ok',
    async () => {
      const shared = await start({ databaseUrl: process.env.TEST_DATABASE_URL }, { redisUrl: process.env.TEST_REDIS_URL })
      expect(await ready(shared)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', redis: 'ok', migrations: 'ok' } } })
    },
    30_000,
  )

  test('an unreachable Redis is not ready: 503 naming redis', async () => {
    const readiness = await checkReadiness({ db: gateway.context.database.db, redisUrl: `redis://127.0.0.1:${await closedPort()}`, timeoutMs: 1000 })
    expect(readiness.checks.redis).toStartWith('failed')
    const response = readinessResponse(readiness)
    expect(response.status).toBe(503)
    expect(((await response.json()) as ReadyBody).failing).toEqual(['redis'])
  })

  test('a database missing the newest migration is not ready: 503 naming migrations', async () => {
    await gateway.context.database.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
    )
    const { status, body } = await ready(gateway)
    expect(status).toBe(503)
    expect(body.failing).toEqual(['migrations'])
    expect(body.checks.migrations).toStartWith('pending')
    expect(body.checks.database).toBe('ok')
  })

  test('a database that no longer answers is not ready; /health still answers', async () => {
    await gateway.context.database.close()
    const { status, body } = await ready(gateway)
    expect(status).toBe(503)
    expect(body.failing).toContain('database')
    expect(body.checks.database).toStartWith('failed')
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
  })
})
