import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import { startGateway, type TestGateway } from '../../tests/support/gateway.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../../tests/support/fake-anthropic.ts'

// Anthropic's 1-hour prompt-cache tier (`cache_control: {type: "ephemeral", ttl: "1h"}`) billed at its
// own price through a real gateway: the fake reports `cache_creation.ephemeral_1h_input_tokens`, and the
// charge uses 2× the input price for those tokens and 1.25× for the 5-minute rest.

/**
 * claude-sonnet-4-5 at $3 in, $15 out, $3.75 per 1M 5-minute writes and $6 per 1M 1-hour writes:
 * 10 input + 1,000 × 5m + 2,000 × 1h + 20 output = (30 + 3,750 + 12,000 + 300) µUSD = 16,080 µUSD = 8,040 units.
 * With every write at the 5-minute price it would be 11,580 µUSD = 5,790 units.
 */
const USAGE = {
  input_tokens: 10,
  output_tokens: 20,
  cache_creation_input_tokens: 3000,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
}
const EXPECTED_UNITS = 8040

let gateway: TestGateway
let upstream: FakeAnthropic
let userId: number
let client: Anthropic

beforeAll(async () => {
  upstream = await startFakeAnthropic({ keys: ['sk-ant-upstream'], scenario: { kind: 'usage', usage: USAGE } })
  gateway = await startGateway()
  await gateway.createChannel({ name: 'anthropic', type: 'claude', key: 'sk-ant-upstream', baseUrl: upstream.url, models: ['claude-sonnet-4-5'] })
  userId = await gateway.createUser({ username: 'cache-1h', quota: 10_000_000 })
  const { key } = await gateway.createToken({ userId, unlimited: true })
  client = new Anthropic({ apiKey: key, baseURL: gateway.url, maxRetries: 0 })
}, 60_000)
afterAll(async () => {
  await gateway.stop()
  await upstream.stop()
})

/** A request with a 1-hour cache breakpoint on its long system prompt. */
const request = {
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  system: [{ type: 'text' as const, text: 'You are a patient tutor. '.repeat(40), cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }],
  messages: [{ role: 'user' as const, content: 'Hello' }],
}

/** What the user was charged by `run`, once its call settled. */
async function chargeOf(run: () => Promise<unknown>): Promise<number> {
  const before = await gateway.balance(userId)
  await run()
  await gateway.logs()
  return before.quota - (await gateway.balance(userId)).quota
}

describe('1-hour cache writes', () => {
  test('messages.create: the 1-hour writes are billed at 2× input, the 5-minute ones at 1.25×', async () => {
    const charged = await chargeOf(() => client.messages.create(request))
    expect(upstream.requests.at(-1)?.body).toMatchObject({ system: [{ cache_control: { type: 'ephemeral', ttl: '1h' } }] })
    expect(charged).toBe(EXPECTED_UNITS)
    const log = (await gateway.logs({ type: 'consume' })).at(0)
    expect(log?.details).toMatchObject({ price: { cacheWrite1hPerMTok: 6 }, tokens: { cacheWrite: 3000, cacheWrite1h: 2000 } })
  })

  test('messages.stream: the same split read from message_start and message_delta', async () => {
    const charged = await chargeOf(() => client.messages.stream(request).finalMessage())
    expect(charged).toBe(EXPECTED_UNITS)
  })
})
