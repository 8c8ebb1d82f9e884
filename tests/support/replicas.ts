import { fileURLToPath } from 'node:url'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

// Several gateway processes sharing one PostgreSQL database and one Redis, as in production.

const root = fileURLToPath(new URL('../..', import.meta.url))

/** One running gateway process. */
export interface Replica {
  url: string
  process: Subprocess<'ignore', 'pipe', 'pipe'>
}

/** A set of replicas on a fresh database. */
export interface ReplicaSet {
  replicas: Replica[]
  /** The shared admin bearer token. */
  adminToken: string
  /** Calls the admin API through one replica; throws on a non-2xx answer. */
  admin<T = Record<string, unknown>>(replica: number, method: string, path: string, body?: unknown): Promise<T>
  stop(): Promise<void>
}

async function waitForListening(child: Subprocess<'ignore', 'pipe', 'pipe'>): Promise<string> {
  const reader = child.stderr.getReader()
  const decoder = new TextDecoder()
  let seen = ''
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    seen += decoder.decode(value)
    const port = /"message":"gateway listening"[^\n]*"port":(\d+)/.exec(seen)?.[1]
    if (port) {
      void (async () => {
        for (;;) if ((await reader.read()).done) return
      })()
      return `http://127.0.0.1:${port}`
    }
  }
  child.kill()
  throw new Error(`replica did not start:\n${seen}`)
}

/** Creates an empty database next to the test database, so replicas start from nothing. */
async function freshDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: postgres } = await import('postgres')
  const name = `hanggent_replicas_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

/** Starts `count` replicas on a fresh database of `databaseUrl`'s server and the given Redis. */
export async function startReplicas(options: { count: number; databaseUrl: string; redisUrl: string; env?: Record<string, string> }): Promise<ReplicaSet> {
  const database = await freshDatabase(options.databaseUrl)
  const adminToken = 'replica-admin-token-0123456789'
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-replicas-'))
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info',
    DATABASE_URL: database.url, REDIS_URL: options.redisUrl, CRYPTO_SECRET: 'replica-crypto-secret-0123456789', SESSION_SECRET: 'replica-session-secret-0123456789',
    ROOT_ACCESS_TOKEN: adminToken, ROOT_PASSWORD: 'replica-root-password', ...options.env,
  }
  const replicas: Replica[] = []
  for (let index = 0; index < options.count; index++) {
    const child = Bun.spawn([process.execPath, 'core/main.ts'], { cwd: root, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    replicas.push({ process: child, url: await waitForListening(child) })
  }
  return {
    replicas,
    adminToken,
    async admin<T>(replica: number, method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${replicas[replica]!.url}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
      return JSON.parse(text) as T
    },
    async stop() {
      for (const replica of replicas) replica.process.kill('SIGTERM')
      await Promise.all(replicas.map((replica) => replica.process.exited))
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
