import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The built-in jina plugin passes the SDK's conformance kit on its cases in conformance/: the rerank and
// embeddings transports (it brings no dialect of its own, so there are no codec cases).

test('the jina plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
  expect(formatReport(report)).toContain('fixture "embeddings-transport"')
}, 90_000)
