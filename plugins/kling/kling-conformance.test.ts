import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The built-in plugin passes the same conformance kit as third-party plugins (manifest, settings forms and,
// for task platforms, routes, prices and error statuses); its upstream behaviour is tested against the fakes.

test('the kling plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
})
