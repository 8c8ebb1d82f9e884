import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { freshPostgresDatabase, gatewayEnv, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts'
import { loggedCharges, spentBy, unbalancedRequests } from '../support/logged-charges.ts'

// The gateway SIGKILLed at random moments under mixed load (streams and plain answers, several
// funded keys and users, 48 clients at once), then restarted on the same data. After recovery every
// key's funding − balance equals the sum of its logged costs, and every answer a client received
// complete (a 200 with its whole body; a stream up to its final [DONE]) is billed and logged exactly once.

const ADMIN = 'crash-admin-token-0123456789'
const KEYS = 6
const FUNDING = 1_000_000_000
const CLIENTS = 48
const ROUNDS = 3

interface Outcome {
  key: number
  requestId: string | null
  complete: boolean
}

interface Backend {
  name: string
  env(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>
}

const backends: Backend[] = [
  {
    name: 'embedded PGlite',
    async env() {
      const dir = mkdtempSync(join(tmpdir(), 'hanggent-crash-'))
      return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
    },
  },
  ...(process.env.TEST_DATABASE_URL
    ? [
        {
          name: 'PostgreSQL',
          async env() {
            const database = await freshPostgresDatabase(process.env.TEST_DATABASE_URL!, 'crash')
            const dir = mkdtempSync(join(tmpdir(), 'hanggent-crash-'))
            return {
              env: { DATA_DIR: dir, DATABASE_URL: database.url },
              cleanup: async () => {
                await database.drop()
                rmSync(dir, { recursive: true, force: true })
              },
            }
          },
        },
      ]
    : []),
  ...(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL
    ? [
        {
          name: 'PostgreSQL + Redis',
          async env() {
            const database = await freshPostgresDatabase(process.env.TEST_DATABASE_URL!, 'crash')
            const dir = mkdtempSync(join(tmpdir(), 'hanggent-crash-'))
            return {
              env: { DATA_DIR: dir, DATABASE_URL: database.url, REDIS_URL: process.env.TEST_REDIS_URL! },
              cleanup: async () => {
                await database.drop()
                rmSync(dir, { recursive: true, force: true })
              },
            }
          },
        },
      ]
    : []),
]

/** One client call; `complete` only when the whole answer arrived (a stream up to its [DONE]). */
async function call(gateway: GatewayProcess, key: string, index: number, stream: boolean): Promise<Omit<Outcome, 'key'>> {
  let requestId: string | null = null
  try {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream,
        max_tokens: 200,
        messages: [{ role: 'user', content: `Question ${index}: what is the capital of France?` }],
      }),
    })
    requestId = response.headers.get('x-request-id')
    const text = await response.text()
    if (response.status !== 200) return { requestId, complete: false }
    if (stream) return { requestId, complete: text.includes('data: [DONE]') }
    const body = JSON.parse(text) as { choices?: unknown[] }
    return { requestId, complete: Array.isArray(body.choices) }
  } catch {
    return { requestId, complete: false }
  }
}

/** Keeps CLIENTS calls in flight until `stop` is set; every call's outcome is recorded. */
async function load(gateway: GatewayProcess, keys: string[], outcomes: Outcome[], stop: { now: boolean }) {
  let next = 0
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (!stop.now) {
        const index = next++
        const key = index % keys.length
        outcomes.push({ key, ...(await call(gateway, keys[key]!, index, index % 2 === 0)) })
      }
    }),
  )
}

for (const backend of backends) {
  describe(`a gateway SIGKILLed under load (${backend.name})`, () => {
    let fake: FakeOpenAI
    let gateway: GatewayProcess | undefined
    let cleanup: (() => Promise<void>) | undefined
    afterAll(async () => {
      gateway?.process.kill('SIGKILL')
      await gateway?.process.exited
      await fake?.stop()
      await cleanup?.()
    })

    test('every answer received complete is billed and logged once; funding − balance = Σ logged costs per key and user', async () => {
      fake = await startFakeOpenAI({ scenario: { kind: 'usage', usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 } } })
      const setup = await backend.env()
      cleanup = setup.cleanup
      const env = gatewayEnv({
        ...setup.env,
        ROOT_ACCESS_TOKEN: ADMIN,
        CRYPTO_SECRET: 'crash-crypto-secret-0123456789',
        SESSION_SECRET: 'crash-session-secret-0123456789',
      })
      gateway = await startGatewayProcess(env)
      await gateway.admin(ADMIN, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
      const keys: Array<{ id: number; key: string; userId: number }> = []
      for (let index = 0; index < KEYS; index++) {
        // Two keys per user, so user balances are shared by concurrent keys.
        const userId =
          index % 2 === 0
            ? (await gateway.admin<{ id: number }>(ADMIN, 'POST', '/api/users', { username: `crash-${index}`, password: 'password-123', quota: 2 * FUNDING }))
                .id
            : keys[index - 1]!.userId
        keys.push({
          ...(await gateway.admin<{ id: number; key: string }>(ADMIN, 'POST', '/api/tokens', { name: `crash-${index}`, userId, quota: FUNDING })),
          userId,
        })
      }

      const outcomes: Outcome[] = []
      for (let round = 0; round < ROUNDS; round++) {
        const stop = { now: false }
        const running = load(
          gateway,
          keys.map((entry) => entry.key),
          outcomes,
          stop,
        )
        // Kill once this round's load is flowing (a cold start on a busy machine can take seconds), at a random moment.
        const before = outcomes.filter((outcome) => outcome.complete).length
        const flowing = Date.now()
        while (outcomes.filter((outcome) => outcome.complete).length - before < 25 && Date.now() - flowing < 30_000) await Bun.sleep(20)
        await Bun.sleep(Math.floor(Math.random() * 800))
        gateway.process.kill('SIGKILL')
        await gateway.process.exited
        stop.now = true
        await running
        gateway = await startGatewayProcess(env)
      }

      const complete = outcomes.filter((outcome) => outcome.complete)
      // The kills must have landed under load, or the test proves nothing.
      expect(complete.length).toBeGreaterThan(ROUNDS * 20)
      expect(outcomes.length - complete.length).toBeGreaterThan(0)

      const balances = await Promise.all(
        keys.map((entry) => gateway!.admin<{ remainQuota: number; usedQuota: number }>(ADMIN, 'GET', `/api/tokens/${entry.id}`)),
      )
      const logged = await loggedCharges(gateway.url, ADMIN)
      const { duplicated, unbilled } = unbalancedRequests(logged, complete)
      expect(duplicated).toEqual([])
      expect(unbilled).toEqual([])

      keys.forEach((entry, index) => {
        const spent = spentBy(logged, (row) => row.tokenId === entry.id)
        expect({ key: index, spent: FUNDING - balances[index]!.remainQuota, used: balances[index]!.usedQuota }).toEqual({ key: index, spent, used: spent })
      })
      for (const userId of new Set(keys.map((entry) => entry.userId))) {
        const user = await gateway.admin<{ quota: number }>(ADMIN, 'GET', `/api/users/${userId}`)
        const spent = spentBy(logged, (row) => row.userId === userId)
        expect({ userId, spent: 2 * FUNDING - user.quota }).toEqual({ userId, spent })
      }
    }, 180_000)
  })
}
