import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The Dify plugin passes the SDK's conformance kit on its cases in conformance/ (recorded-shape Dify
// streams in __fixtures__, pings and workflow progress included), gateway step included: a real
// gateway process with the official OpenAI, Anthropic and Google SDKs calling a Dify channel.

test('the dify plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: true })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
  expect(formatReport(report)).toContain('fixture "agent"')
}, 120_000)
