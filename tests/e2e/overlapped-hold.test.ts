import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startReplicas, type ReplicaSet } from '../support/replicas.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'

// With Redis, a payer whose balance dwarfs the call has its hold made while the upstream call starts
// (core/relay/pipeline.ts, admit and execute). Nothing of the answer is released before the hold is
// confirmed; a refused hold cuts the upstream call and the client gets the usual refusal, charged nothing.

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL

describe.skipIf(!databaseUrl || !redisUrl)('a hold made alongside the upstream call (PostgreSQL + Redis)', () => {
  let set: ReplicaSet
  let fake: FakeOpenAI

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    set = await startReplicas({ count: 1, databaseUrl: databaseUrl ?? '', redisUrl: redisUrl ?? '' })
    await set.admin(0, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
  }, 60_000)
  afterAll(async () => {
    await set?.stop()
    await fake?.stop()
  })

  const call = (key: string, stream: boolean) =>
    fetch(`${set.replicas[0]!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, stream, messages: [{ role: 'user', content: 'hi' }] }),
    })

  async function richPayer(name: string) {
    const user = await set.admin<{ id: number }>(0, 'POST', '/api/users', { username: name, password: 'password-123', quota: 1_000_000_000 })
    const token = await set.admin<{ id: number; key: string }>(0, 'POST', '/api/tokens', { name, userId: user.id, unlimited: true })
    return { userId: user.id, key: token.key }
  }

  const quotaOf = async (userId: number) => (await set.admin<{ quota: number }>(0, 'GET', `/api/users/${userId}`)).quota
  const consumed = async (userId: number) => {
    const page = await set.admin<{ items: Array<{ quota: number; userId: number }> }>(0, 'GET', `/api/logs?type=consume&userId=${userId}&pageSize=100`)
    return page.items.filter((row) => row.userId === userId)
  }

  test('a rich payer is served, stream and not, and billed exactly what its logs say', async () => {
    fake.reset()
    const payer = await richPayer('overlap-rich')
    for (const stream of [false, true, false, true]) {
      const response = await call(payer.key, stream)
      expect(response.status).toBe(200)
      const text = await response.text()
      if (stream) expect(text).toContain('data: [DONE]')
      else expect(JSON.parse(text).choices[0].message.content.length).toBeGreaterThan(0)
    }
    await Bun.sleep(300)
    const rows = await consumed(payer.userId)
    expect(rows.length).toBe(4)
    expect(1_000_000_000 - (await quotaOf(payer.userId))).toBe(rows.reduce((sum, row) => sum + row.quota, 0))
  }, 30_000)

  for (const stream of [false, true]) {
    test(`a hold refused while the upstream may already be called (${stream ? 'stream' : 'non-stream'}): the usual 403 at once, the upstream call cut, nothing charged`, async () => {
      fake.reset()
      const payer = await richPayer(`overlap-refused-${stream ? 's' : 'n'}`)
      // A first call leaves the gateway's cached view of this balance: far above the cost of a call.
      expect((await call(payer.key, stream)).status).toBe(200)
      const charged = 1_000_000_000 - (await quotaOf(payer.userId))
      // The balance is emptied behind that view, and the upstream would never answer.
      await set.admin(0, 'PATCH', `/api/users/${payer.userId}`, { quota: 0 })
      fake.setDefault({ kind: 'hang' })
      const upstreamCalls = fake.requests.length
      const startedAt = performance.now()
      const refused = await call(payer.key, stream)
      const body = (await refused.json()) as { error: { code: string } }
      expect(refused.status).toBe(403)
      expect(body.error.code).toBe('insufficient_quota')
      // Answered on the hold's refusal, not after the upstream's silence (the relay's timeout is minutes).
      expect(performance.now() - startedAt).toBeLessThan(5_000)
      // The call may have gone upstream meanwhile (the price of not waiting for the hold), and was then cut;
      // when the refusal comes first it never leaves. Never more than once: a refusal is not a failover.
      expect(fake.requests.length - upstreamCalls).toBeLessThanOrEqual(1)
      await Bun.sleep(300)
      expect(await quotaOf(payer.userId)).toBe(0)
      const rows = await consumed(payer.userId)
      expect(rows.length).toBe(1)
      expect(rows[0]!.quota).toBe(charged)
      fake.setDefault({ kind: 'fixture' })
    }, 30_000)
  }
})
