import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The plugin passes the SDK's conformance kit on its cases in conformance/ (which point at the recorded
// fixtures in __fixtures__): manifest, prices, settings form, request build, result decoding, and the
// NDJSON stream framed by the plugin's frameStream and decoded with the chunk boundary at every byte
// offset. The gateway step (the official SDKs through a real gateway) runs in
// tests/e2e/external-plugin-packages.test.ts on the installed package.

test('the Ollama example passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: false })
  expect(report.failures).toEqual([])
  const text = formatReport(report)
  expect(text).toContain('fixture "chat-tool-call": request build, result decode, stream decode at every byte offset')
  expect(text).toContain('fixture "chat-thinking": request build, result decode, stream decode at every byte offset')
  expect(text).toContain('fixture "tags": model listing')
}, 60_000)
