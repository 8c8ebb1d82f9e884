// Relay benchmark: the gateway (its own process, embedded database) in front of a fake OpenAI
// upstream (another process), loaded over loopback by this process. Bounded in time and count.
//   npm run bench                       # all scenarios, 10 s each, concurrency 32
//   npm run bench -- --duration 5 --concurrency 50 --only gateway-chat
//   npm run bench -- --database-url postgres://…   # gateway on PostgreSQL instead of embedded PGlite (the database is emptied first)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Subprocess } from 'bun'

const root = fileURLToPath(new URL('../..', import.meta.url))
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
  },
})
const durationMs = Number(args.duration) * 1000
const concurrency = Number(args.concurrency)
const MAX_REQUESTS_PER_SCENARIO = 2_000_000

/** One measured scenario. */
interface Result {
  scenario: string
  requests: number
  errors: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
}

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!
}

/** Runs `concurrency` loops issuing requests for `durationMs`; streams are read to the end. */
async function load(scenario: string, makeRequest: () => Promise<Response>): Promise<Result> {
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + durationMs
  async function worker() {
    while (performance.now() < deadline && latencies.length + errors < MAX_REQUESTS_PER_SCENARIO) {
      const started = performance.now()
      try {
        const response = await makeRequest()
        await response.arrayBuffer()
        if (!response.ok) errors += 1
        else latencies.push(performance.now() - started)
      } catch {
        errors += 1
      }
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { scenario, requests: latencies.length, errors, requestsPerSecond: Math.round(latencies.length / elapsed), p50Ms: +percentile(latencies, 0.5).toFixed(2), p99Ms: +percentile(latencies, 0.99).toFixed(2) }
}

/** Starts a child process and waits for a line matching `ready`; returns the first capture group. */
async function spawnUntil(command: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: Subprocess; match: string }> {
  const child = Bun.spawn(command, { cwd: root, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' })
  let seen = ''
  const decoder = new TextDecoder()
  const readers = [child.stdout, child.stderr].map((stream) => (stream as ReadableStream<Uint8Array>).getReader())
  const deadline = Date.now() + 30_000
  return new Promise((resolve, reject) => {
    for (const reader of readers) {
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          seen += decoder.decode(value)
          const match = ready.exec(seen)?.[1]
          if (match) resolve({ child, match })
          if (Date.now() > deadline) reject(new Error(`timed out waiting for ${ready}: ${seen}`))
        }
      })()
    }
    void child.exited.then((code) => reject(new Error(`${command.join(' ')} exited with ${code}: ${seen}`)))
  })
}

/** Drops every table so the gateway starts on an empty PostgreSQL database. */
async function emptyDatabase(url: string) {
  const { default: postgres } = await import('postgres')
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  await sql.unsafe('drop schema if exists public cascade; create schema public; drop schema if exists drizzle cascade')
  await sql.end()
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-bench-'))
  const adminToken = 'bench-admin-token-0123456789'
  const fake = await spawnUntil([process.execPath, 'scripts/bench/fake-upstream.ts'], {}, /listening (http:\/\/\S+)/)
  const databaseUrl = args['database-url']
  if (databaseUrl) await emptyDatabase(databaseUrl)
  const database: Record<string, string> = databaseUrl ? { DATABASE_URL: databaseUrl, CRYPTO_SECRET: 'bench-crypto-secret-0123456789' } : {}
  const gateway = await spawnUntil([process.execPath, 'core/main.ts'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ROOT_ACCESS_TOKEN: adminToken, LOG_LEVEL: 'info', ...database }, /"gateway listening".*"port":(\d+)/)
  const gatewayUrl = `http://127.0.0.1:${gateway.match}`
  const fakeUrl = fake.match
  try {
    const admin = async (path: string, body: unknown) => {
      const response = await fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
      return (await response.json()) as { key: string }
    }
    await admin('/api/channels', { name: 'fake', type: 'openai', key: 'sk-bench', baseUrl: fakeUrl, models: ['gpt-4o-mini'] })
    // The same upstream as a Chat-only vendor: Responses clients reach it converted through the hub.
    await admin('/api/channels', { name: 'fake-chat-only', type: 'openai-compatible', key: 'sk-bench', baseUrl: fakeUrl, models: ['gpt-4o-mini-compat'], modelMapping: { 'gpt-4o-mini-compat': 'gpt-4o-mini' } })
    await fetch(`${gatewayUrl}/api/options`, { method: 'PATCH', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ modelPrices: { 'gpt-4o-mini-compat': { inputPerMTok: 0.15, outputPerMTok: 0.6 } } }) })
    const { key } = await admin('/api/tokens', { name: 'bench', unlimited: true })
    // Ledger scenarios: the same load on one funded (not unlimited) key, or spread over 50 of them.
    const hotKey = (await admin('/api/tokens', { name: 'hot', quota: 1_000_000_000_000 })).key
    const spreadKeys: string[] = []
    for (let index = 0; index < 50; index++) spreadKeys.push((await admin('/api/tokens', { name: `spread-${index}`, quota: 1_000_000_000_000 })).key)
    let nextSpread = 0
    const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 64 })
    const stream = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 64, stream: true })
    const claudeBody = (streamed: boolean) => JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, stream: streamed, messages: [{ role: 'user', content: 'What is the capital of France?' }] })
    const responses = (model: string, streamed: boolean) => JSON.stringify({ model, input: 'What is the capital of France?', max_output_tokens: 64, stream: streamed })
    const postTo = (url: string, body: string, bearer: string) => () => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body })
    const post = (base: string, body: string, bearer: string) => () => fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body })
    const scenarios: Array<[string, () => Promise<Response>]> = [
      ['upstream-direct-chat', post(fakeUrl, chat, 'sk-bench')],
      ['gateway-chat', post(gatewayUrl, chat, key)],
      ['upstream-direct-stream', post(fakeUrl, stream, 'sk-bench')],
      ['gateway-stream', post(gatewayUrl, stream, key)],
      ['ledger-50-keys', () => post(gatewayUrl, chat, spreadKeys[nextSpread++ % spreadKeys.length] ?? key)()],
      ['ledger-one-hot-key', post(gatewayUrl, chat, hotKey)],
      ['claude-client-to-openai', postTo(`${gatewayUrl}/v1/messages`, claudeBody(false), key)],
      ['claude-client-to-openai-stream', postTo(`${gatewayUrl}/v1/messages`, claudeBody(true), key)],
      ['responses-passthrough', postTo(`${gatewayUrl}/v1/responses`, responses('gpt-4o-mini', false), key)],
      ['responses-converted-to-chat', postTo(`${gatewayUrl}/v1/responses`, responses('gpt-4o-mini-compat', false), key)],
      ['responses-passthrough-stream', postTo(`${gatewayUrl}/v1/responses`, responses('gpt-4o-mini', true), key)],
      ['responses-converted-to-chat-stream', postTo(`${gatewayUrl}/v1/responses`, responses('gpt-4o-mini-compat', true), key)],
    ]
    const results: Result[] = []
    for (const [name, request] of scenarios) {
      if (args.only && !name.includes(args.only)) continue
      await load(`${name} (warm-up)`, request).catch(() => undefined)
      results.push(await load(name, request))
    }
    if (args.json) console.log(JSON.stringify(results, null, 2))
    else {
      console.log(`duration ${durationMs / 1000} s per scenario, concurrency ${concurrency}, database ${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, machine: ${navigator.hardwareConcurrency} cores`)
      console.table(results)
      const pair = (direct: string, through: string) => {
        const a = results.find((result) => result.scenario === direct)
        const b = results.find((result) => result.scenario === through)
        if (a && b) console.log(`${through}: ${((b.requestsPerSecond / a.requestsPerSecond) * 100).toFixed(0)}% of ${direct} throughput, +${(b.p50Ms - a.p50Ms).toFixed(2)} ms p50`)
      }
      pair('upstream-direct-chat', 'gateway-chat')
      pair('upstream-direct-stream', 'gateway-stream')
      pair('ledger-50-keys', 'ledger-one-hot-key')
      pair('gateway-chat', 'claude-client-to-openai')
      pair('gateway-stream', 'claude-client-to-openai-stream')
      pair('responses-passthrough', 'responses-converted-to-chat')
      pair('responses-passthrough-stream', 'responses-converted-to-chat-stream')
    }
  } finally {
    gateway.child.kill('SIGTERM')
    fake.child.kill('SIGTERM')
    await Promise.all([gateway.child.exited, fake.child.exited])
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
