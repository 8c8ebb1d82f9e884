import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The plugin passes the SDK's conformance kit on its cases in conformance/ (which point at the
// recorded fixtures in __fixtures__): manifest, prices, settings form, request build, result and
// stream decoding at every byte offset, errors, transport and catalog. The gateway step (the official
// SDKs through a real gateway) runs in tests/e2e/external-plugin-packages.test.ts on the installed package.

test('the Quillon example passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(report.failures).toEqual([])
  expect(formatReport(report)).toContain('fixture "chat-tool-call": request build, result decode, stream decode at every byte offset')
  expect(formatReport(report)).toContain('fixture "catalog-page-1": model listing')
}, 60_000)
