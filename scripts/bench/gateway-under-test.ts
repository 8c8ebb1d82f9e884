// The gateway as the bench runs it: `bun core/main.ts` in its own process on a free port, embedded
// PGlite in a temporary DATA_DIR (default) or an emptied PostgreSQL (+ Redis, flushed), set up through
// its admin API with one openai channel to the fixed upstream and two keys: an unlimited one and a
// funded one (large finite quota, so every call goes through the quota ledger).
// For A/B trials of runtime settings without editing this file, two variables reach the gateway only
// (not the upstream or the bench, which are Bun processes too):
//   BENCH_GATEWAY_BUN_FLAGS="--smol"                     Bun flags put before core/main.ts
//   BENCH_GATEWAY_ENV="MIMALLOC_PURGE_DELAY=0,NAME=value" environment of the gateway, comma-separated
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { residentBytes, startService, stopService, type Service } from './child-processes.ts'

/** How to start the gateway. */
export interface GatewayOptions {
  root: string
  upstreamUrl: string
  databaseUrl?: string
  redisUrl?: string
  /** Directory for a CPU profile (`bun --cpu-prof`); none when undefined. */
  profileDir?: string
}

/** Process health read after a run: RSS from /proc, event-loop lag from GET /api/system/runtime. */
export interface GatewayHealth {
  rssBytes: number | undefined
  eventLoopLagMs: { windowSeconds: number; p50: number; p99: number; max: number; samples: number } | undefined
}

/** A running gateway. */
export interface Gateway {
  url: string
  pid: number
  database: string
  keys: { unlimited: string; funded: string }
  /** Calls the admin API as root. */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>
  health(windowSeconds: number): Promise<GatewayHealth>
  /** SIGTERM, wait for the shutdown (the profile is written then); returns the profile files, if any. */
  stop(): Promise<string[]>
  service: Service
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef'
const CRYPTO_SECRET = 'bench-crypto-secret-0123456789abcdef'

/** Drops every table so the gateway starts on an empty PostgreSQL database. */
async function emptyDatabase(url: string): Promise<void> {
  const { default: postgres } = await import('postgres')
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql.unsafe('drop schema if exists public cascade; create schema public; drop schema if exists drizzle cascade')
  } finally {
    await sql.end()
  }
}

/** Empties the Redis database index the URL names, so no counter or lease of an earlier run survives. */
async function flushRedis(url: string): Promise<void> {
  const { default: Redis } = await import('ioredis')
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    await redis.flushdb()
  } finally {
    redis.disconnect()
  }
}

/**
 * The command line: `bun core/main.ts` as `npm start` runs it, with the trial's Bun flags
 * (BENCH_GATEWAY_BUN_FLAGS, space-separated) and, with a profile directory, Bun's CPU profiler.
 */
export function gatewayCommand(bun: string, profileDir: string | undefined, bunFlags = ''): string[] {
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${profileDir}`] : []
  return [bun, ...bunFlags.split(' ').filter(Boolean), ...profile, 'core/main.ts']
}

/** BENCH_GATEWAY_ENV's `NAME=value,NAME=value` as an environment; throws on a pair without a name. */
export function parseGatewayEnv(text: string): Record<string, string> {
  const pairs = text.split(',').filter((pair) => pair.trim() !== '')
  return Object.fromEntries(
    pairs.map((pair) => {
      const equals = pair.indexOf('=')
      if (equals <= 0) throw new Error(`BENCH_GATEWAY_ENV: "${pair}" is not NAME=value`)
      return [pair.slice(0, equals).trim(), pair.slice(equals + 1)]
    }),
  )
}

/** Starts and sets up the gateway; throws with its output when it does not come up. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  if (options.databaseUrl) await emptyDatabase(options.databaseUrl)
  if (options.redisUrl) await flushRedis(options.redisUrl)
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-bench-'))
  // Also on Ctrl-C or a failure, when stop() never runs.
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ROOT_ACCESS_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    CRYPTO_SECRET,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...parseGatewayEnv(process.env.BENCH_GATEWAY_ENV ?? ''),
  }
  const service = await startService('gateway', gatewayCommand(process.execPath, options.profileDir, process.env.BENCH_GATEWAY_BUN_FLAGS), {
    cwd: options.root,
    env,
    ready: /"gateway listening".*?"port":(\d+)/,
    timeoutMs: 90_000,
  })
  const url = `http://127.0.0.1:${service.ready}`
  const database = /"database":"(\w+)"/.exec(service.tail())?.[1] ?? 'unknown'
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`gateway admin ${method} ${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
  try {
    await admin('POST', '/api/channels', {
      name: 'fixed-upstream',
      type: 'openai',
      key: 'sk-bench',
      baseUrl: options.upstreamUrl,
      models: ['gpt-4o-mini', 'whisper-1'],
    })
    const unlimited = (await admin<{ key: string }>('POST', '/api/tokens', { name: 'bench-unlimited', unlimited: true })).key
    const funded = (await admin<{ key: string }>('POST', '/api/tokens', { name: 'bench-funded', quota: 1_000_000_000_000 })).key
    return {
      url,
      pid: service.child.pid,
      database,
      keys: { unlimited, funded },
      admin,
      service,
      health: (windowSeconds) => readHealth(service.child.pid, admin, windowSeconds),
      stop: async () => {
        await stopService(service, 60_000)
        rmSync(dataDir, { recursive: true, force: true })
        return options.profileDir ? readdirSync(options.profileDir).map((file) => join(options.profileDir!, file)) : []
      },
    }
  } catch (error) {
    await stopService(service, 10_000)
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
}

/** RSS now and the event-loop lag over the last `windowSeconds`, as the gateway reports it. */
async function readHealth(pid: number, admin: Gateway['admin'], windowSeconds: number): Promise<GatewayHealth> {
  const rssBytes = await residentBytes(pid)
  const window = Math.min(120, Math.max(1, Math.round(windowSeconds)))
  try {
    const runtime = await admin<{ eventLoopLagMs: GatewayHealth['eventLoopLagMs'] }>('GET', `/api/system/runtime?windowSeconds=${window}`)
    return { rssBytes, eventLoopLagMs: runtime.eventLoopLagMs }
  } catch {
    return { rssBytes, eventLoopLagMs: undefined }
  }
}
