import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI, type FakeUsage } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'
import { priceUsage } from '../../core/billing/price-usage.ts'
import { openAIPricing } from '../../plugins/openai/pricing.ts'
import { loadChunks } from '../support/fixtures.ts'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'

// Quota: reserve before the call, settle exactly after, refund on failure, never below zero.

const usage: FakeUsage = { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 }
/** What one call with `usage` costs on gpt-4o-mini (0.15 / 0.60 USD per 1M): 375 units. */
const COST = priceUsage(
  { inputTokens: 1000, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1000, reasoningTokens: 0 },
  openAIPricing['gpt-4o-mini*']!,
  1,
).units
const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me about Paris.' }], max_tokens: 1000 }

for (const backend of testBackends) {
  describe(`quota (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway(backend)
      await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })
    beforeEach(() => {
      fake.reset()
      fake.setDefault({ kind: 'usage', usage })
    })

    const call = (key: string, body: Record<string, unknown> = request) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })

    async function fundedToken(requests: number, name: string) {
      const userId = await gateway.createUser({ username: name, quota: 1_000_000_000 })
      return { userId, ...(await gateway.createToken({ userId, quota: requests * COST })) }
    }

    test('one call costs the documented price', () => {
      expect(COST).toBe(375)
    })

    test('a token funded for exactly N requests serves N, then answers 403', async () => {
      const n = 5
      const token = await fundedToken(n, 'exact-n')
      for (let i = 0; i < n; i++) expect((await call(token.key)).status).toBe(200)
      const refused = await call(token.key)
      expect(refused.status).toBe(403)
      const refusal = ((await refused.json()) as { error: { code: string; message: string } }).error
      expect(refusal.code).toBe('insufficient_quota')
      // Worded in dollars, as the dashboard speaks, with the exact units in brackets.
      expect(refusal.message).toMatch(
        /^Insufficient quota: this API key has \$0\.00 \(0 units\) left and the request needs at least \$0\.\d+ \([\d,]+ units?\)$/,
      )
      expect(await gateway.tokenBalance(token.id)).toEqual({ remainQuota: 0, usedQuota: n * COST })
      const logs = await gateway.logs({ type: 'consume', tokenId: token.id })
      expect(logs.map((entry) => entry.quota)).toEqual(Array(n).fill(COST))
      expect(fake.requests.length).toBe(n)
    })

    test('a user funded for N requests stops an unlimited token after N', async () => {
      const userId = await gateway.createUser({ username: 'unlimited-owner', quota: 3 * COST })
      const token = await gateway.createToken({ userId, unlimited: true })
      for (let i = 0; i < 3; i++) expect((await call(token.key)).status).toBe(200)
      expect((await call(token.key)).status).toBe(403)
      expect((await gateway.balance(userId)).quota).toBe(0)
    })

    test('200 concurrent requests: final balance equals funding minus logged costs, never below zero', async () => {
      const funded = 50 * COST
      const token = await fundedToken(50, 'concurrent')
      const responses = await Promise.all(Array.from({ length: 200 }, () => call(token.key)))
      const statuses = responses.map((response) => response.status)
      await Promise.all(responses.map((response) => response.arrayBuffer()))
      expect(statuses.every((status) => status === 200 || status === 403)).toBe(true)
      const succeeded = statuses.filter((status) => status === 200).length
      expect(succeeded).toBeGreaterThanOrEqual(50)
      expect(statuses.filter((status) => status === 403).length).toBeGreaterThan(0)
      const logs = await gateway.logs({ type: 'consume', tokenId: token.id })
      expect(logs.length).toBe(succeeded)
      const logged = logs.reduce((sum, entry) => sum + Number(entry.quota), 0)
      const balance = await gateway.tokenBalance(token.id)
      expect(balance.remainQuota).toBeGreaterThanOrEqual(0)
      expect(balance.remainQuota).toBe(funded - logged)
      expect(balance.usedQuota).toBe(logged)
      expect((await gateway.balance(token.userId)).quota).toBe(1_000_000_000 - logged)
    })

    test('500 parallel requests on a token funded for exactly K of them: exactly K succeed, the rest get 403', async () => {
      // The fake reports what the gateway estimates ("hi" is 7 prompt tokens with framing) plus max_tokens,
      // so every reservation is the exact cost and admission is exact.
      fake.setDefault({ kind: 'usage', usage: { prompt_tokens: 7, completion_tokens: 100, total_tokens: 107 } })
      const exact = priceUsage(
        { inputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 0 },
        openAIPricing['gpt-4o-mini*']!,
        1,
      ).units
      const userId = await gateway.createUser({ username: 'exact-k', quota: 1_000_000_000 })
      const token = await gateway.createToken({ userId, quota: 40 * exact })
      const body = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }
      const statuses = await Promise.all(
        Array.from({ length: 500 }, async () => {
          const response = await call(token.key, body)
          await response.arrayBuffer()
          return response.status
        }),
      )
      expect(statuses.filter((status) => status === 200).length).toBe(40)
      expect(statuses.filter((status) => status === 403).length).toBe(460)
      expect(await gateway.tokenBalance(token.id)).toEqual({ remainQuota: 0, usedQuota: 40 * exact })
    })

    test('an upstream failure costs nothing and is logged as an error', async () => {
      const token = await fundedToken(2, 'upstream-fails')
      fake.setDefault({ kind: 'status', status: 500, body: { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } } })
      const response = await call(token.key)
      expect(response.status).toBe(502)
      const body = (await response.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('upstream_error')
      expect(body.error.message).toContain('The server had an error')
      expect(await gateway.tokenBalance(token.id)).toEqual({ remainQuota: 2 * COST, usedQuota: 0 })
      const logs = await gateway.logs({ tokenId: token.id })
      expect(logs.map((entry) => [entry.type, entry.statusCode])).toEqual([['error', 502]])
    })

    test('an upstream 400 reaches the client unchanged and costs nothing', async () => {
      const token = await fundedToken(2, 'upstream-400')
      const upstreamError = {
        error: {
          message: "This model's maximum context length is 128000 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      }
      fake.setDefault({ kind: 'status', status: 400, body: upstreamError })
      const response = await call(token.key)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual(upstreamError)
      expect((await gateway.tokenBalance(token.id)).usedQuota).toBe(0)
    })

    test('a stream the client abandons aborts the upstream and costs what was delivered', async () => {
      const token = await fundedToken(4, 'client-leaves')
      fake.setDefault({ kind: 'stream-gap', gapMs: 40 })
      const controller = new AbortController()
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        signal: controller.signal,
        headers: { authorization: `Bearer ${token.key}` },
        body: JSON.stringify({ ...request, stream: true }),
      })
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      let seen = ''
      while ((seen.match(/data: /g) ?? []).length < 4) seen += decoder.decode((await reader.read()).value)
      controller.abort()
      await reader.cancel().catch(() => undefined)
      for (let i = 0; i < 100 && fake.abortedStreams === 0; i++) await Bun.sleep(20)
      expect(fake.abortedStreams).toBe(1)
      await gateway.services.inflight.drain(5000)
      const [row] = await gateway.logs({ type: 'consume', tokenId: token.id })
      expect((row!.details as { outcome: string }).outcome).toBe('client-aborted')
      const charged = Number(row?.quota)
      expect(charged).toBeGreaterThan(0)
      expect(charged).toBeLessThan(COST)
      expect((await gateway.tokenBalance(token.id)).usedQuota).toBe(charged)
    })

    test('a stream cut by the upstream ends with an OpenAI error event and bills what was delivered', async () => {
      const token = await fundedToken(4, 'upstream-resets')
      fake.setDefault({ kind: 'reset-mid-stream', afterChunks: 5 })
      const response = await call(token.key, { ...request, stream: true })
      expect(response.status).toBe(200)
      const text = await response.text()
      const events = text.split('\n\n').filter(Boolean)
      expect(events.length).toBe(6)
      const last = JSON.parse(events.at(-1)!.replace(/^data: /, '')) as { error: { code: string } }
      expect(last.error.code).toBe('upstream_error')
      expect(text).not.toContain('[DONE]')
      await gateway.services.inflight.drain(5000)
      const [row] = await gateway.logs({ type: 'consume', tokenId: token.id })
      expect(row!.details as { outcome: string; usageSource: string }).toMatchObject({ outcome: 'upstream-error', usageSource: 'counted' })
      expect(Number(row?.completionTokens)).toBeGreaterThan(0)
    })

    test('a malformed upstream chunk ends the stream with a well-formed error', async () => {
      const token = await fundedToken(4, 'malformed')
      fake.setDefault({ kind: 'malformed-chunk', afterChunks: 3 })
      const text = await (await call(token.key, { ...request, stream: true })).text()
      const events = text.split('\n\n').filter(Boolean)
      expect(events.length).toBe(4)
      expect(JSON.parse(events.at(-1)!.replace(/^data: /, ''))).toMatchObject({ error: { code: 'bad_upstream_response' } })
    })

    test('a stream without upstream usage is billed from counted output', async () => {
      const token = await fundedToken(4, 'no-usage')
      fake.setDefault({ kind: 'no-usage' })
      const text = await (await call(token.key, { ...request, stream: true })).text()
      expect(text.trim().endsWith('data: [DONE]')).toBe(true)
      await gateway.services.inflight.drain(5000)
      const [row] = await gateway.logs({ type: 'consume', tokenId: token.id })
      expect((row!.details as { usageSource: string }).usageSource).toBe('counted')
      const streamedText = loadChunks<{ choices: Array<{ delta: { content?: string } }> }>('openai', 'openai-chat-text.chunks.txt')
        .map((chunk) => chunk.choices[0]?.delta.content ?? '')
        .join('')
      expect(row?.completionTokens).toBe(countTokens(streamedText))
    })
  })
}
