// An OTLP/HTTP trace sink for benchmarking with tracing on: accepts POST /v1/traces (JSON or protobuf),
// counts the export requests and bytes, answers 200, and prints the counts every 10 s. Not a collector:
// it only lets the gateway's exporter do its full work (batch, serialise, send) without a real backend,
// and does as little as it can (drains the body unparsed), because on the bench machine it takes CPU
// from the gateway that a collector on its own machine would not (scripts/bench/trace-cost.ts shows it).
//
//   bun scripts/bench/otlp-sink.ts 4318 &
//   METRICS_TOKEN=bench-metrics-token-0123 OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm run bench -- …
import { parseArgs } from 'node:util'

const { positionals } = parseArgs({ allowPositionals: true })
const port = Number(positionals[0] ?? 4318)
let exports = 0
/** ExportTraceServiceResponse with nothing rejected. */
const ACCEPTED = '{}'
let bytes = 0
const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  async fetch(request) {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/v1/traces') return new Response('not found', { status: 404 })
    // Drain the body chunk by chunk, never holding or parsing it: a real collector runs on other machines.
    const reader = request.body?.getReader()
    if (reader) for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.byteLength
    exports += 1
    return new Response(ACCEPTED, { headers: { 'content-type': 'application/json' } })
  },
})
console.log(`otlp sink listening on http://127.0.0.1:${server.port}`)
setInterval(() => console.log(`otlp sink: ${exports} exports, ${(bytes / 1024 / 1024).toFixed(1)} MB`), 10_000)
