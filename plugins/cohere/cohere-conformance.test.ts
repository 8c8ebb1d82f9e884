import { expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { conformance, formatReport } from '@hanggent/plugin-sdk/conformance'

// The built-in cohere plugin passes the SDK's conformance kit on its cases in conformance/ (chat fixtures
// decoded whole and at every byte offset of the stream, errors, the chat and rerank transports, and the
// rerank dialect's prompt estimate with its search units), gateway step included: a real gateway process in
// front of the recorded chat answers, called with the official OpenAI, Anthropic and Google SDKs (whole,
// streamed, tool calls both ways). This is the project's one Cohere implementation, and its proof that a
// provider with a dialect of its own works through the SDK alone.

test('the cohere plugin passes the conformance kit', async () => {
  const report = await conformance(fileURLToPath(new URL('.', import.meta.url)), { gateway: true })
  expect(formatReport(report)).not.toContain('FAIL')
  expect(report.failures).toEqual([])
  expect(formatReport(report)).toContain('fixture "rerank-transport"')
  expect(formatReport(report)).toContain('fixture "rerank-estimate": prompt estimate')
  for (const sdk of ['OpenAI SDK chat', 'Anthropic SDK messages', 'Google Gen AI SDK generateContent'])
    expect(report.passed).toContain(`fixture "chat-tool-call" (gateway, ${sdk}, streamed)`)
}, 90_000)
