import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The built-in plugin passes the same conformance kit as third-party plugins, on its recorded fixtures
// in conformance/ (which reuse __fixtures__).

test('the openai plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
  expect(report.passed.length).toBeGreaterThan(3)
}, 90_000)
