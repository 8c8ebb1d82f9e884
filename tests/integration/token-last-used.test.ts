import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'

// An API key records when it was last used, off the request path (the group commit that writes the
// call's usage row sets it), and the admin API shows it: null before the first call, then the time of
// the latest call.

interface TokenRow {
  id: number
  lastUsedAt: string | null
}

for (const backend of testBackends) {
  describe(`API key last use (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    }, 60_000)
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })

    const call = (key: string, stream = false) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hi' }] }),
      }).then((response) => response.text().then(() => response.status))

    const listed = async (id: number) => (await gateway.admin<{ items: TokenRow[] }>('GET', '/api/tokens')).items.find((token) => token.id === id)

    test('GET /api/tokens shows lastUsedAt after calls, and the latest call wins', async () => {
      const used = await gateway.createToken({ name: 'used', quota: 5_000_000 })
      const idle = await gateway.createToken({ name: 'idle', quota: 5_000_000 })
      expect((await listed(used.id))?.lastUsedAt).toBeNull()

      const before = Date.now()
      for (let index = 0; index < 5; index++) expect(await call(used.key)).toBe(200)
      expect(await call(used.key, true)).toBe(200)
      await gateway.services.inflight.drain(5000)
      const first = (await listed(used.id))?.lastUsedAt
      expect(first).not.toBeNull()
      expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000)
      expect(Date.parse(first!)).toBeLessThanOrEqual(Date.now() + 1000)
      expect((await gateway.admin<TokenRow>('GET', `/api/tokens/${used.id}`)).lastUsedAt).toBe(first!)
      expect((await listed(idle.id))?.lastUsedAt).toBeNull()

      await Bun.sleep(20)
      expect(await call(used.key)).toBe(200)
      const second = (await listed(used.id))?.lastUsedAt
      expect(Date.parse(second!)).toBeGreaterThan(Date.parse(first!))
    })

    test('a refused call is a use of the key too', async () => {
      const token = await gateway.createToken({ name: 'refused', quota: 5_000_000, models: ['gpt-4o'] })
      expect(await call(token.key)).toBe(403)
      await gateway.logs()
      expect((await listed(token.id))?.lastUsedAt).not.toBeNull()
    })
  })
}
