import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatewayEnv, startGatewayProcess } from '../support/gateway-process.ts'
import { startFakeRealtime } from '../support/fake-realtime.ts'

// Issue 13 item 3 as an operator sees it: SIGTERM on `bun core/main.ts` gives open realtime sessions the grace
// period, then closes them with a close frame (1001) and settles them before the process exits 0.

const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-realtime-shutdown-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

test('SIGTERM closes an open realtime session with 1001 after the grace period, and its rows are written', async () => {
  const fake = startFakeRealtime({ keys: ['sk-upstream'] })
  const admin = 'realtime-shutdown-admin-0123456789'
  const gateway = await startGatewayProcess(gatewayEnv({ DATA_DIR: dataDir, ROOT_ACCESS_TOKEN: admin, SHUTDOWN_GRACE_SECONDS: '1' }))
  try {
    await gateway.admin(admin, 'POST', '/api/channels', { name: 'rt', type: 'openai', key: 'sk-upstream', baseUrl: fake.url, models: ['gpt-realtime'] })
    const { key } = await gateway.admin<{ key: string }>(admin, 'POST', '/api/tokens', { name: 'k', quota: 1_000_000 })
    const socket = new (WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket)(
      `${gateway.url.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`,
      { headers: { authorization: `Bearer ${key}` } },
    )
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
      socket.onclose = (event) => resolve({ code: event.code, reason: event.reason, at: Date.now() })
    })
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => socket.send(JSON.stringify({ type: 'response.create' }))
      socket.onmessage = (event) => {
        if (String(event.data).includes('"response.done"')) resolve()
      }
      socket.onerror = () => reject(new Error('socket error'))
    })
    const signalledAt = Date.now()
    gateway.process.kill('SIGTERM')
    const close = await closed
    expect({ code: close.code, reason: close.reason }).toEqual({ code: 1001, reason: 'server shutting down' })
    expect(close.at - signalledAt).toBeGreaterThanOrEqual(900)
    expect(await gateway.process.exited).toBe(0)
  } finally {
    gateway.process.kill('SIGKILL')
    await fake.stop()
  }
  const { PGlite } = await import('@electric-sql/pglite')
  const db = new PGlite(`${dataDir}/pglite`)
  const rows = await db.query<{ quota: number; details: { realtime: { kind: string; closeCode?: number } } }>(
    "select quota, details from logs where type = 'consume' order by id",
  )
  await db.close()
  expect(rows.rows.map((row) => [row.details.realtime.kind, row.details.realtime.closeCode ?? null, Number(row.quota) > 0])).toEqual([
    ['response', null, true],
    ['session', 1001, false],
  ])
}, 60_000)
