// Conversion cost per streamed chunk and per response, in-process, no network: an upstream stream
// fixture is decoded and re-encoded for each client dialect through the hub, against passthrough
// (parse SSE, decode each event for usage with the dialect's push decoder, re-frame). Bounded: a fixed number of iterations per case.
//   npm run bench:convert
import { loadPlugins } from '../../core/plugin/loader.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { decodeSse, encodeSse } from '@hanggent/plugin-sdk'
import type { ClientDialect, ConversionEnv } from '@hanggent/plugin-sdk'
import { loadChunks, loadFixture } from '../../tests/support/fixtures.ts'
import { passthroughTap } from '../../core/relay/hub-tap.ts'

const ITERATIONS = 3000
const registry = createRegistry(await loadPlugins([]))
const env: ConversionEnv = { now: () => 1_748_736_000_000, newId: (prefix) => `${prefix}bench` }
const pair = registry.passthrough('openai.chat')!
const upstream = pair.upstream
const streamText =
  loadChunks('openai', 'openai-chat-text.chunks.txt')
    .map((chunk) => encodeSse({ data: JSON.stringify(chunk) }))
    .join('') + encodeSse({ data: '[DONE]' })
const chunkCount = streamText.split('\n\n').filter(Boolean).length
const bytes = new TextEncoder().encode(streamText)
const completeBody = loadFixture('openai', 'openai-chat-text.json')

async function* source() {
  yield bytes
}

async function passthrough(): Promise<void> {
  const tap = passthroughTap(pair, env)
  for await (const event of decodeSse(source())) {
    tap.onEvent(event)
    encodeSse(event)
  }
  tap.result()
}

async function converted(client: ClientDialect): Promise<void> {
  if (!upstream.hub || !client.hub) return
  for await (const event of client.hub.encodeStream(upstream.hub.decodeStream(decodeSse(source()), env), env)) encodeSse(event)
}

async function time(run: () => Promise<void> | void): Promise<number> {
  for (let i = 0; i < 200; i++) await run()
  const started = performance.now()
  for (let i = 0; i < ITERATIONS; i++) await run()
  return ((performance.now() - started) * 1000) / ITERATIONS
}

const rows: Array<Record<string, string | number>> = []
const base = await time(passthrough)
rows.push({ case: 'openai.chat passthrough (stream)', 'µs/response': +base.toFixed(1), 'µs/chunk': +(base / chunkCount).toFixed(2) })
for (const client of registry.dialects()) {
  if (!client.hub) continue
  const streamed = await time(() => converted(client))
  const complete = await time(() => {
    client.hub?.encodeResult(upstream.hub!.decodeResult(completeBody, env), env)
  })
  rows.push({
    case: `openai.chat upstream → ${client.dialect} client`,
    'µs/response': +streamed.toFixed(1),
    'µs/chunk': +(streamed / chunkCount).toFixed(2),
    'non-stream µs': +complete.toFixed(1),
  })
}
console.log(`${chunkCount} SSE events per response, ${ITERATIONS} iterations per case`)
console.table(rows)
