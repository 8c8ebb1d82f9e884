import { mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import {
  gatewayServices,
  nginxConfigPath,
  planGateways,
  postgresAccount,
  redisArguments,
  renderNginxConfig,
  type ComposeFile,
  type LocalAddresses,
} from './topology/compose-plan.ts'
import { freePort, startGateway, startNginx, startPostgres, startRedis, waitUntil, type Stop } from './topology/local-services.ts'
import { startFakeOpenAI } from '../tests/support/fake-openai.ts'

// docker-compose.yml's topology started from Debian's packages on 127.0.0.1 (no Docker engine here):
// PostgreSQL, Redis, the gateway replicas and nginx with deploy/nginx.conf, all read from the compose
// file, the Dockerfile and the nginx file (scripts/topology/compose-plan.ts names the few changes
// loopback forces), then a smoke test through nginx:
//   - root signs in with ROOT_PASSWORD (its first password) and gets a session cookie;
//   - that cookie is accepted by each replica;
//   - a channel created through one replica serves relay calls on every replica, and disabling it
//     through another stops them everywhere;
//   - a stream through nginx arrives chunk by chunk (first bytes long before the end: unbuffered).
//   bun scripts/topology.ts [--keep]      (--keep leaves the state directory with every log)
// Needs: initdb/pg_ctl (postgresql), redis-server, nginx. Prints the report as JSON; exits 1 on failure.

const root = fileURLToPath(new URL('../', import.meta.url))

/** What the smoke test saw. */
export interface TopologyReport {
  /** The compose services started, with the local address each got. */
  services: Record<string, string>
  /** Root's password sign-in through nginx with ROOT_PASSWORD. */
  rootSignIn: { status: number; sessionCookie: boolean }
  /** `GET /api/users/me` with that session cookie, sent to each replica directly. */
  sessionOnReplicas: Record<string, number>
  /** A channel created on one replica: the relay status each replica answered; then after disabling it on another. */
  channelChange: { createdOn: string; servedBy: Record<string, number>; disabledOn: string; refusedBy: Record<string, number> }
  /** A streamed chat completion through nginx: when its first and last bytes arrived, in ms from the request. */
  streaming: { reads: number; firstByteMs: number; lastByteMs: number; upstreamGapMs: number }
  /** `GET /ready` through nginx. */
  readyThroughNginx: number
}

/** Options of `runTopology`. */
export interface TopologyOptions {
  /** Keep the state directory (logs, data) instead of deleting it. */
  keep?: boolean
  /** Progress lines (default: none). */
  progress?: (line: string) => void
  /** Deadline for each replica to pass its healthcheck. */
  replicaTimeoutMs?: number
}

/** The upstream's pause between stream chunks; the client must see chunks spread over the stream. */
const STREAM_GAP_MS = 150

/** Fails the smoke test with a readable line. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`topology smoke test: ${message}`)
}

/** The `name=value` pairs of Set-Cookie answers, as a Cookie header, plus the CSRF cookie's value. */
function cookiesOf(response: Response): { header: string; csrf: string | undefined } {
  const pairs = response.headers.getSetCookie().map((line) => line.split(';')[0]!.trim())
  const csrf = pairs.find((pair) => pair.startsWith('hanggent_csrf='))?.slice('hanggent_csrf='.length)
  return { header: pairs.join('; '), csrf }
}

/** Calls the relay on each replica directly until every one answers `status` (cache invalidation reaches all). */
async function relayStatuses(urls: Record<string, string>, key: string, model: string, wanted: number): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {}
  await waitUntil(
    `every replica to answer ${wanted} for ${model}`,
    async () => {
      for (const [name, url] of Object.entries(urls)) {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        })
        await response.arrayBuffer()
        statuses[name] = response.status
      }
      return Object.values(statuses).every((status) => status === wanted)
    },
    5_000,
    50,
  ).catch(() => undefined)
  return statuses
}

/** Streams a chat completion through `base` and notes when each read arrived. */
async function measureStream(base: string, key: string, model: string): Promise<TopologyReport['streaming']> {
  const started = performance.now()
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  })
  check(response.ok && response.body !== null, `stream through nginx answered ${response.status}`)
  const arrivals: number[] = []
  let text = ''
  const decoder = new TextDecoder()
  const reader = response.body!.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    arrivals.push(performance.now() - started)
    text += decoder.decode(read.value, { stream: true })
  }
  check(text.includes('data: [DONE]'), 'the stream through nginx did not end with [DONE]')
  return { reads: arrivals.length, firstByteMs: Math.round(arrivals[0] ?? 0), lastByteMs: Math.round(arrivals.at(-1) ?? 0), upstreamGapMs: STREAM_GAP_MS }
}

/** Starts the topology, runs the smoke test, stops everything; resolves with what it saw or rejects naming the failed step. */
export async function runTopology(options: TopologyOptions = {}): Promise<TopologyReport> {
  const progress = options.progress ?? (() => {})
  const compose = Bun.YAML.parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
  const nginxFile = nginxConfigPath(compose)
  const stateDir = mkdtempSync(join(tmpdir(), 'hanggent-topology-'))
  chmodSync(stateDir, 0o755)
  const secret = () => randomBytes(24).toString('base64url')
  // What an operator puts in front of `docker compose up`: the required variables, fresh each run.
  const variables: Record<string, string | undefined> = { ...process.env, CRYPTO_SECRET: secret(), SESSION_SECRET: secret(), ROOT_PASSWORD: `root-${secret()}` }
  const addresses: LocalAddresses = { postgres: { host: '127.0.0.1', port: freePort() }, redis: { host: '127.0.0.1', port: freePort() } }
  for (const name of gatewayServices(compose)) addresses[name] = { host: '127.0.0.1', port: freePort() }
  const proxyPort = freePort()
  const stops: Stop[] = []
  const fake = await startFakeOpenAI({ scenario: { kind: 'stream-gap', gapMs: STREAM_GAP_MS } })
  stops.push(() => fake.stop())
  try {
    progress(`state directory ${stateDir}`)
    stops.push(await startPostgres(stateDir, addresses.postgres!.port, postgresAccount(compose, variables)))
    stops.push(await startRedis(stateDir, addresses.redis!.port, redisArguments(compose)))
    progress('PostgreSQL and Redis answer')
    const plans = planGateways({ compose, dockerfile, variables, addresses, dataDir: (name) => join(stateDir, name) })
    // Started together, as compose does once PostgreSQL and Redis are healthy (they race for the migration lock).
    const started = await Promise.allSettled(plans.map((plan) => startGateway(stateDir, plan, options.replicaTimeoutMs ?? 60_000)))
    for (const result of started) if (result.status === 'fulfilled') stops.push(result.value)
    for (const result of started) if (result.status === 'rejected') throw result.reason
    progress(`${plans.map((plan) => plan.name).join(' and ')} pass their compose healthcheck`)
    stops.push(
      await startNginx(stateDir, proxyPort, renderNginxConfig(readFileSync(join(root, nginxFile), 'utf8'), { listen: `127.0.0.1:${proxyPort}`, addresses })),
    )
    const base = `http://127.0.0.1:${proxyPort}`
    progress(`nginx (${nginxFile}) answers on ${base}`)
    const replicaUrls = Object.fromEntries(plans.map((plan) => [plan.name, `http://127.0.0.1:${plan.env.PORT}`]))
    const names = Object.keys(replicaUrls)

    const signIn = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: variables.ROOT_PASSWORD, session: true }),
    })
    const cookies = cookiesOf(signIn)
    await signIn.arrayBuffer()
    check(signIn.status === 200, `root's sign-in with ROOT_PASSWORD through nginx answered ${signIn.status}`)
    check(cookies.header.includes('hanggent_session=') && cookies.csrf !== undefined, 'the sign-in set no session and CSRF cookies')

    const sessionOnReplicas: Record<string, number> = {}
    for (const [name, url] of Object.entries(replicaUrls)) {
      const me = await fetch(`${url}/api/users/me`, { headers: { cookie: cookies.header } })
      const body = (await me.json()) as { username?: string }
      sessionOnReplicas[name] = me.status
      check(me.status === 200 && body.username === 'root', `${name} refused the session cookie (${me.status})`)
    }

    const admin = async <T>(replica: string, method: string, path: string, body: unknown): Promise<T> => {
      const response = await fetch(`${replicaUrls[replica]}${path}`, {
        method,
        headers: { cookie: cookies.header, 'x-csrf-token': cookies.csrf!, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      const text = await response.text()
      check(response.ok, `${method} ${path} on ${replica} answered ${response.status}: ${text}`)
      return JSON.parse(text) as T
    }
    const model = 'topology-model'
    const [first, second] = [names[0]!, names.at(-1)!]
    await admin(first, 'PATCH', '/api/options', { modelPrices: { [model]: { inputPerMTok: 1, outputPerMTok: 1 } } })
    const channel = await admin<{ id: number }>(first, 'POST', '/api/channels', {
      name: 'topology',
      type: 'openai',
      key: 'sk-topology-upstream',
      baseUrl: fake.url,
      models: [model],
    })
    const token = await admin<{ key: string }>(first, 'POST', '/api/tokens', { name: 'topology', quota: 50_000_000 })
    fake.setDefault({ kind: 'fixture' })
    const servedBy = await relayStatuses(replicaUrls, token.key, model, 200)
    check(
      Object.values(servedBy).every((status) => status === 200),
      `the channel created on ${first} is not served by every replica: ${JSON.stringify(servedBy)}`,
    )

    fake.setDefault({ kind: 'stream-gap', gapMs: STREAM_GAP_MS })
    const streaming = await measureStream(base, token.key, model)
    check(streaming.reads >= 3, `the stream through nginx arrived in ${streaming.reads} read(s): buffered`)
    check(
      streaming.lastByteMs - streaming.firstByteMs >= STREAM_GAP_MS * 4,
      `the first bytes arrived ${streaming.firstByteMs} ms in and the stream ended at ${streaming.lastByteMs} ms: nginx held the stream back`,
    )

    await admin(second, 'PATCH', `/api/channels/${channel.id}`, { status: 'manually-disabled' })
    fake.setDefault({ kind: 'fixture' })
    const refusedBy = await relayStatuses(replicaUrls, token.key, model, 503)
    check(
      Object.values(refusedBy).every((status) => status === 503),
      `the channel disabled on ${second} still serves: ${JSON.stringify(refusedBy)}`,
    )

    const ready = await fetch(`${base}/ready`)
    await ready.arrayBuffer()
    check(ready.status === 200, `/ready through nginx answered ${ready.status}`)
    return {
      services: Object.fromEntries([
        ...Object.entries(addresses).map(([name, address]) => [name, `${address.host}:${address.port}`]),
        ['proxy', `127.0.0.1:${proxyPort}`],
      ]),
      rootSignIn: { status: signIn.status, sessionCookie: true },
      sessionOnReplicas,
      channelChange: { createdOn: first, servedBy, disabledOn: second, refusedBy },
      streaming,
      readyThroughNginx: ready.status,
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    if (!options.keep) rmSync(stateDir, { recursive: true, force: true })
    else progress(`kept ${stateDir}`)
  }
}

if (import.meta.main) {
  try {
    const report = await runTopology({ keep: process.argv.includes('--keep'), progress: (line) => console.error(`topology: ${line}`) })
    console.log(JSON.stringify(report, null, 2))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
