import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The built-in cohere plugin passes the SDK's conformance kit on its cases in conformance/ (chat fixtures
// decoded whole and at every byte offset of the stream, errors, the chat and rerank transports, and the
// rerank dialect's prompt estimate with its search units).

test('the cohere plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
  expect(formatReport(report)).toContain('fixture "rerank-transport"')
  expect(formatReport(report)).toContain('fixture "rerank-estimate": prompt estimate')
}, 90_000)
