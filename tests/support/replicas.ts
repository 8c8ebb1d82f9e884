import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { freshPostgresDatabase, startGatewayProcess } from './gateway-process.ts'

// Several gateway processes sharing one PostgreSQL database and one Redis, as in production.

/** One running gateway process. */
export interface Replica {
  url: string
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  /** What the process printed on stdout so far (plain operator lines, e.g. about the root password). */
  output(): string
  /** Its JSON log lines (stderr) so far. */
  log(): string
}

/** A set of replicas on a fresh database. */
export interface ReplicaSet {
  replicas: Replica[]
  /** The shared admin bearer token. */
  adminToken: string
  /** Calls the admin API through one replica; throws on a non-2xx answer. */
  admin<T = Record<string, unknown>>(replica: number, method: string, path: string, body?: unknown): Promise<T>
  /** Stops replica `index` (SIGKILL: a crash, or SIGTERM) and starts a new process with the same settings in its place. */
  restart(index: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<Replica>
  stop(): Promise<void>
}

/** Starts `count` replicas on a fresh database of `databaseUrl`'s server and the given Redis. */
export async function startReplicas(options: { count: number; databaseUrl: string; redisUrl: string; env?: Record<string, string> }): Promise<ReplicaSet> {
  const database = await freshPostgresDatabase(options.databaseUrl, 'replicas')
  const adminToken = 'replica-admin-token-0123456789'
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-replicas-'))
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    REDIS_URL: options.redisUrl,
    CRYPTO_SECRET: 'replica-crypto-secret-0123456789',
    SESSION_SECRET: 'replica-session-secret-0123456789',
    ROOT_ACCESS_TOKEN: adminToken,
    ROOT_PASSWORD: 'replica-root-password',
    ...options.env,
  }
  const replicas: Replica[] = []
  for (let index = 0; index < options.count; index++) {
    const started = await startGatewayProcess(env)
    replicas.push({ process: started.process, url: started.url, output: started.output, log: started.log })
  }
  return {
    replicas,
    adminToken,
    async admin<T>(replica: number, method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${replicas[replica]!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
      return JSON.parse(text) as T
    },
    async restart(index, signal = 'SIGKILL') {
      const old = replicas[index]!
      old.process.kill(signal)
      await old.process.exited
      const started = await startGatewayProcess(env)
      replicas[index] = { process: started.process, url: started.url, output: started.output, log: started.log }
      return replicas[index]!
    },
    async stop() {
      for (const replica of replicas) replica.process.kill('SIGTERM')
      await Promise.all(replicas.map((replica) => replica.process.exited))
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
