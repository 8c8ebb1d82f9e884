import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Redis from 'ioredis'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeRealtime, type FakeRealtime } from '../support/fake-realtime.ts'

// REALTIME_MAX_SESSIONS_PER_USER across replicas: two gateways sharing one PostgreSQL and one Redis count a
// user's sessions together, so a limit of 1 holds across both, and a closed session frees the place.

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL

let first: TestGateway
let second: TestGateway
let fake: FakeRealtime

/** A Bun WebSocket to a gateway's /v1/realtime, authenticated with the browser subprotocol; resolves once open. */
function openSession(gateway: TestGateway, key: string): Promise<WebSocket> {
  const url = `${gateway.url.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['realtime', `openai-insecure-api-key.${key}`])
    socket.addEventListener('open', () => resolve(socket))
    socket.addEventListener('error', () => reject(new Error('realtime socket failed to open')))
  })
}

/** The gateway's answer to a plain upgrade request (a refusal comes back as HTTP before any upgrade). */
function upgradeRequest(gateway: TestGateway, key: string): Promise<Response> {
  return fetch(`${gateway.url}/v1/realtime?model=gpt-realtime`, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      authorization: `Bearer ${key}`,
    },
  })
}

describe.skipIf(!databaseUrl || !redisUrl)('realtime session limit across replicas', () => {
  beforeAll(async () => {
    fake = startFakeRealtime({ keys: ['sk-upstream'] })
    const overrides = { redisUrl, realtimeMaxSessionsPerUser: 1 }
    first = await startGateway({ databaseUrl }, overrides)
    await first.createChannel({ name: 'openai', type: 'openai', key: 'sk-upstream', baseUrl: fake.url, models: ['gpt-realtime'] })
    second = await startGateway({ databaseUrl, keepData: true }, overrides)
  }, 60_000)
  afterAll(async () => {
    await second?.stop()
    await first?.stop()
    await fake?.stop()
  })

  test('a second session on the other replica is refused with 429, and admitted once the first closes', async () => {
    const userId = await first.createUser({ username: `rt-replica-${Date.now()}`, quota: 10_000_000 })
    const { key } = await first.createToken({ userId, unlimited: true })
    // Leftovers of an earlier crashed run for the same user id would count until they lapse.
    const redis = new Redis(redisUrl ?? '')
    await redis.del(`hanggent:realtime:sessions:${userId}`)
    redis.disconnect()

    const socket = await openSession(first, key)
    const refused = await upgradeRequest(second, key)
    expect(refused.status).toBe(429)
    const body = (await refused.json()) as { error: { message: string; type: string; code: string } }
    expect(body.error.code).toBe('rate_limited')
    expect(body.error.message).toContain('Too many realtime sessions')
    expect(fake.sessions).toHaveLength(1)

    const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()))
    socket.close()
    await closed
    const deadline = Date.now() + 10_000
    while (first.realtime.count() > 0 && Date.now() < deadline) await Bun.sleep(20)
    // The place is given back asynchronously: the next connect may race it by a few ms.
    let admitted: WebSocket | undefined
    while (!admitted && Date.now() < deadline) admitted = await openSession(second, key).catch(() => Bun.sleep(20).then(() => undefined))
    expect(admitted).toBeDefined()
    expect(fake.sessions).toHaveLength(2)
    admitted?.close()
  }, 30_000)
})
