import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI, type FakeUsage } from '../support/fake-openai.ts'
import { testBackends } from '../support/context.ts'
import { MOST_REPORTED_TOKENS, usableUsage } from '../../core/relay/settle.ts'
import type { Usage } from '@hanggent/plugin-sdk'

// Usage an upstream reports that cannot be billed as it stands. The SDK's tokenCount already reads a
// negative or non-number counter as 0 and a fraction rounded down; a count no call can have passed it,
// and a third-party plugin may not use it at all. Before the check in settle.ts, a report of 3 billion prompt tokens was
// billed as reported and its usage row did not fit the logs table: that group commit failed, and every
// retry with it, so no later call's charge or row reached the database either.

for (const backend of testBackends) {
  describe(`usage reports that cannot be billed as they stand (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let userId: number
    let key: string
    let tokenId: number

    beforeAll(async () => {
      fake = await startFakeOpenAI()
      gateway = await startGateway({ databaseUrl: backend.databaseUrl })
      await gateway.createChannel({ name: 'main', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
      userId = await gateway.createUser({ username: 'usage-reports', quota: 50_000_000 })
      ;({ id: tokenId, key } = await gateway.createToken({ userId, quota: 10_000_000 }))
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })

    /** Makes one call whose upstream reports `usage`; answers its request id. */
    async function callReporting(usage: FakeUsage, stream: boolean): Promise<string> {
      fake.queue({ kind: 'usage', usage })
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        }),
      })
      expect(response.status).toBe(200)
      await response.text()
      return response.headers.get('x-request-id')!
    }

    const rowOf = async (requestId: string) => {
      const rows = await gateway.logs({ type: 'consume', tokenId })
      return rows.find((row) => row.requestId === requestId) as
        | { promptTokens: number; completionTokens: number; quota: number; details: Record<string, unknown> }
        | undefined
    }

    for (const stream of [false, true]) {
      test(`3 billion prompt tokens are billed by our own count, flagged, and the calls after it are charged and logged (${stream ? 'stream' : 'non-stream'})`, async () => {
        const before = await gateway.balance(userId)
        const broken = await callReporting({ prompt_tokens: 3_000_000_000, completion_tokens: 12, total_tokens: 3_000_000_012 }, stream)
        const normal = await callReporting({ prompt_tokens: 14, completion_tokens: 20, total_tokens: 34 }, stream)
        const brokenRow = await rowOf(broken)
        const normalRow = await rowOf(normal)
        expect(brokenRow).toBeDefined()
        expect(normalRow).toBeDefined()
        expect(brokenRow!.details.usageSource).toBe('counted')
        expect(brokenRow!.details.suspiciousUsage).toBe('unusable')
        expect((brokenRow!.details.reportedUsage as { inputTokens: number }).inputTokens).toBe(3_000_000_000)
        expect(brokenRow!.promptTokens).toBeGreaterThan(0)
        expect(brokenRow!.promptTokens).toBeLessThan(100)
        expect([normalRow!.promptTokens, normalRow!.completionTokens]).toEqual([14, 20])
        expect(normalRow!.details.usageSource).toBe('upstream')
        // The database's balance moved by exactly what the two rows say was charged.
        const after = await gateway.balance(userId)
        expect(after.usedQuota - before.usedQuota).toBe(brokenRow!.quota + normalRow!.quota)
        expect(brokenRow!.quota).toBeLessThan(1_000)
      })
    }
  })
}

test("a plugin's usage with a count no call has, a negative or non-number one, or a bad quantity is not billed as reported; fractions are rounded down", () => {
  const reported = { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 }
  expect(usableUsage(reported)).toEqual(reported)
  expect(usableUsage({ ...reported, inputTokens: 10.9, outputTokens: 5.2 })).toEqual({ ...reported, inputTokens: 10, outputTokens: 5 })
  expect(usableUsage({ ...reported, inputTokens: MOST_REPORTED_TOKENS })).toEqual({ ...reported, inputTokens: MOST_REPORTED_TOKENS })
  // The token bound is for token counts: a quantity of another kind (characters of speech, say) may be larger.
  expect(usableUsage({ ...reported, quantities: { characters: MOST_REPORTED_TOKENS + 1 } })).toBeDefined()
  const brokenReports: Usage[] = [
    { ...reported, inputTokens: MOST_REPORTED_TOKENS + 1 },
    { ...reported, outputTokens: -1 },
    { ...reported, cacheReadTokens: Number.NaN },
    { ...reported, reasoningTokens: Number.POSITIVE_INFINITY },
    { ...reported, cacheWrite1hTokens: -3 },
    { ...reported, outputTokens: '5' as unknown as number },
    { ...reported, quantities: { searchUnits: -2 } },
    { ...reported, quantities: { seconds: Number.NaN } },
    { ...reported, quantities: { audioInputTokens: MOST_REPORTED_TOKENS + 1 } },
  ]
  for (const broken of brokenReports) expect(usableUsage(broken)).toBeUndefined()
})
