import type { Config } from '../../core/config.ts'
import type { AppContext } from '../../core/app-context.ts'
import { createServer } from '../../core/server.ts'
import { ensureRootUser } from '../../core/bootstrap.ts'
import type { RelayServices } from '../../core/relay/pipeline.ts'
import type { RealtimeSessions } from '../../core/realtime/realtime-sessions.ts'
import { closeContext, createTestContext } from './context.ts'

/** A gateway listening on 127.0.0.1 with a real database, driven through its own admin API. */
export interface TestGateway {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  context: AppContext
  services: RelayServices
  /** The realtime WebSocket sessions open on this gateway (shutdown drains them). */
  realtime: RealtimeSessions
  /** The root password generated on first boot (printed once by main), when the config set no ROOT_PASSWORD. */
  generatedRootPassword?: string
  /** Calls the admin API as root; throws on a non-2xx answer with its body. */
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>
  /** Calls the admin API as root and returns the raw response. */
  adminResponse(method: string, path: string, body?: unknown): Promise<Response>
  /** Creates a user with the given quota and returns its id. */
  createUser(input: { username: string; quota: number; group?: string }): Promise<number>
  /** Creates a relay key for a user; returns its id and the one-time `sk-…` key. */
  createToken(input: {
    name?: string
    userId?: number
    quota?: number
    unlimited?: boolean
    models?: string[]
    expiresAt?: string | null
  }): Promise<{ id: number; key: string }>
  /** Creates a channel and returns its id. */
  createChannel(input: Record<string, unknown>): Promise<number>
  /** A user's remaining and used quota. */
  balance(userId: number): Promise<{ quota: number; usedQuota: number }>
  /** A token's remaining and used quota. */
  tokenBalance(tokenId: number): Promise<{ remainQuota: number; usedQuota: number }>
  /** Usage and error log rows, after flushing the batch writer. */
  logs(filter?: { type?: string; tokenId?: number }): Promise<Array<Record<string, unknown>>>
  stop(): Promise<void>
}

/** Starts a gateway on the given backend (PGlite in memory by default; `keepData` restarts on an existing PostgreSQL database, a `dataDir` override keeps PGlite on disk). */
export async function startGateway(backend: { databaseUrl?: string; keepData?: boolean } = {}, overrides: Partial<Config> = {}): Promise<TestGateway> {
  const context = await createTestContext(backend, overrides)
  const { generatedPassword } = await ensureRootUser(context)
  const { app, services, realtime } = await createServer(context)
  app.listen({ port: 0, hostname: '127.0.0.1' })
  const url = `http://127.0.0.1:${app.server?.port}`
  const rootToken = context.config.rootAccessToken ?? ''

  const adminResponse = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rootToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await adminResponse(method, path, body)
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
    return (text === '' ? {} : JSON.parse(text)) as T
  }

  return {
    url,
    context,
    services,
    realtime,
    generatedRootPassword: generatedPassword,
    admin,
    adminResponse,
    async createUser(input) {
      const user = await admin<{ id: number }>('POST', '/api/users', {
        username: input.username,
        password: 'password-123',
        group: input.group,
        quota: input.quota,
      })
      return user.id
    },
    async createToken(input) {
      const token = await admin<{ id: number; key: string }>('POST', '/api/tokens', { name: input.name ?? 'test key', ...input })
      return { id: token.id, key: token.key }
    },
    async createChannel(input) {
      const channel = await admin<{ id: number }>('POST', '/api/channels', input)
      return channel.id
    },
    async balance(userId) {
      const user = await admin<{ quota: number; usedQuota: number }>('GET', `/api/users/${userId}`)
      return { quota: user.quota, usedQuota: user.usedQuota }
    },
    async tokenBalance(tokenId) {
      const token = await admin<{ remainQuota: number; usedQuota: number }>('GET', `/api/tokens/${tokenId}`)
      return { remainQuota: token.remainQuota, usedQuota: token.usedQuota }
    },
    async logs(filter = {}) {
      // Streams settle just after their last byte; wait for every call to finish before reading.
      await services.inflight.drain(10_000)
      await context.logWriter.flush()
      const query = new URLSearchParams({ pageSize: '100' })
      if (filter.type) query.set('type', filter.type)
      if (filter.tokenId !== undefined) query.set('tokenId', String(filter.tokenId))
      const items: Array<Record<string, unknown>> = []
      for (let page = 1; ; page++) {
        query.set('page', String(page))
        const result = await admin<{ items: Array<Record<string, unknown>>; total: number }>('GET', `/api/logs?${query}`)
        items.push(...result.items)
        if (items.length >= result.total || result.items.length === 0) return items
      }
    },
    async stop() {
      await app.stop(true)
      await services.inflight.drain(5000)
      await realtime.close()
      await closeContext(context)
    },
  }
}
