// An OTLP/HTTP trace sink for benchmarking with tracing on: accepts POST /v1/traces (JSON or protobuf),
// counts the export requests and bytes, answers 200, and prints the counts every 10 s. Not a collector:
// it only lets the gateway's exporter do its full work (batch, serialise, send) without a real backend.
//
//   bun scripts/bench/otlp-sink.ts 4318 &
//   METRICS_TOKEN=bench-metrics-token-0123 OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm run bench -- …
import { parseArgs } from 'node:util'

const { positionals } = parseArgs({ allowPositionals: true })
const port = Number(positionals[0] ?? 4318)
let exports = 0
let bytes = 0
const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  async fetch(request) {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/v1/traces') return new Response('not found', { status: 404 })
    bytes += (await request.arrayBuffer()).byteLength
    exports += 1
    return Response.json({ partialSuccess: {} })
  },
})
console.log(`otlp sink listening on http://127.0.0.1:${server.port}`)
setInterval(() => console.log(`otlp sink: ${exports} exports, ${(bytes / 1024 / 1024).toFixed(1)} MB`), 10_000)
