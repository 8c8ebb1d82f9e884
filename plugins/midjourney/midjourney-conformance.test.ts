import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The built-in midjourney plugin passes the same conformance kit as third-party plugins (manifest, settings
// form, and its task platform's routes, prices and error statuses); its upstream behaviour is tested against
// the fake Midjourney-Proxy (tests/integration/tasks-midjourney.test.ts).

test('the midjourney plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
  expect(report.passed).toContain('task platforms (midjourney)')
}, 30_000)
