// The ceiling of the relay benchmark: a proxy that does nothing but forward. It reads the request body,
// sends it with fetch to the upstream's /v1/chat/completions and answers with the upstream's status,
// content type and body, streamed through as it arrives (nothing buffered, nothing parsed, no auth, no
// accounting). The issue takes it as the ceiling for any Bun gateway on this machine, so the bench
// prints the gateway's figures next to it from the same rounds.
//   bun scripts/bench/bare-proxy.ts http://127.0.0.1:UPSTREAM_PORT   # PORT=0 (default) picks a free port; prints "listening http://127.0.0.1:PORT"

// A module, not a script: otherwise the type checker puts its names in the same global scope as fixed-upstream.ts's.
export {}

const upstreamBase = process.argv[2] ?? process.env.UPSTREAM_URL
if (!upstreamBase) {
  console.error('usage: bun scripts/bench/bare-proxy.ts <upstream base URL>')
  process.exit(2)
}
const upstreamUrl = `${upstreamBase.replace(/\/+$/, '')}/v1/chat/completions`
const JSON_HEADERS = { 'content-type': 'application/json' }
const notFound = JSON.stringify({ error: { message: 'Unknown route', type: 'invalid_request_error', param: null, code: 'unknown_url' } })

/** Forwards one chat call; a failed fetch becomes a 502 so the load generator counts it instead of hanging. */
async function forward(request: Request): Promise<Response> {
  const headers: Record<string, string> = {}
  const contentType = request.headers.get('content-type')
  const authorization = request.headers.get('authorization')
  if (contentType) headers['content-type'] = contentType
  if (authorization) headers.authorization = authorization
  let upstream: Response
  try {
    upstream = await fetch(upstreamUrl, { method: request.method, headers, body: await request.bytes(), redirect: 'manual' })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return new Response(JSON.stringify({ error: { message: `upstream unreachable: ${message}`, type: 'bad_gateway' } }), { status: 502, headers: JSON_HEADERS })
  }
  const answerType = upstream.headers.get('content-type')
  // The body goes through as a stream: SSE chunks reach the client as the upstream writes them.
  return new Response(upstream.body, { status: upstream.status, headers: answerType ? { 'content-type': answerType } : {} })
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  // As the gateway runs (core/server.ts): a slow stream must not be cut by Bun's default 10 s idle timeout.
  idleTimeout: 0,
  // A native route, as the gateway's relay routes are: the ceiling should not pay for routing the gateway does not pay for.
  routes: { '/v1/chat/completions': { POST: forward } },
  fetch() {
    return new Response(notFound, { status: 404, headers: JSON_HEADERS })
  },
})

console.log(`listening http://127.0.0.1:${server.port}`)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void server.stop(true)
    process.exit(0)
  })
}
