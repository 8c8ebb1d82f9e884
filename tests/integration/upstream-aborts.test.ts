import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Every upstream request goes through one channel client, so whoever asked going away aborts the upstream
// request alike: a relay client that disconnects, and an admin who closes the channel test or the model
// list while the upstream is still thinking. The upstream here never answers and records what it saw.

interface Seen {
  path: string
  aborted: boolean
}

describe('the upstream request ends when whoever asked goes away', () => {
  let gateway: TestGateway
  let upstream: Server<undefined>
  const seen: Seen[] = []
  let channelId: number
  let relayKey: string

  beforeAll(async () => {
    upstream = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      idleTimeout: 0,
      async fetch(request) {
        const entry: Seen = { path: new URL(request.url).pathname, aborted: false }
        seen.push(entry)
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))
        entry.aborted = true
        return new Response(null, { status: 499 })
      },
    })
    gateway = await startGateway()
    channelId = await gateway.createChannel({
      name: 'thinking',
      type: 'openai',
      key: 'sk-up',
      baseUrl: `http://127.0.0.1:${upstream.port}`,
      models: ['gpt-4o-mini'],
    })
    relayKey = (await gateway.createToken({ name: 'aborts', quota: 1_000_000 })).key
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await upstream.stop(true)
  })
  beforeEach(() => {
    seen.length = 0
  })

  /** Sends a request, leaves once the upstream has it, and answers whether the upstream saw its own request end. */
  async function leaveWhileWaiting(path: string, init: RequestInit): Promise<{ upstreamPath: string | undefined; upstreamAborted: boolean }> {
    const controller = new AbortController()
    const pending = fetch(`${gateway.url}${path}`, { ...init, signal: controller.signal }).catch(() => 'left')
    for (let i = 0; i < 200 && seen.length === 0; i++) await Bun.sleep(10)
    controller.abort()
    expect(await pending).toBe('left')
    // Well under the 20 s the upstream would otherwise be given.
    for (let i = 0; i < 100 && !seen[0]?.aborted; i++) await Bun.sleep(20)
    return { upstreamPath: seen[0]?.path, upstreamAborted: seen[0]?.aborted ?? false }
  }

  const admin = (method: string) => ({
    method,
    headers: { authorization: `Bearer ${gateway.context.config.rootAccessToken ?? ''}`, 'content-type': 'application/json' },
  })

  test('a relay client that disconnects', async () => {
    const outcome = await leaveWhileWaiting('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(outcome).toEqual({ upstreamPath: '/v1/chat/completions', upstreamAborted: true })
  })

  test('an admin who closes the channel test', async () => {
    const outcome = await leaveWhileWaiting(`/api/channels/${channelId}/test`, { ...admin('POST'), body: '{}' })
    expect(outcome).toEqual({ upstreamPath: '/v1/chat/completions', upstreamAborted: true })
  })

  test('an admin who closes the upstream model list', async () => {
    const outcome = await leaveWhileWaiting(`/api/channels/${channelId}/upstream-models`, admin('GET'))
    expect(outcome).toEqual({ upstreamPath: '/v1/models', upstreamAborted: true })
  })

  test('an admin who closes the model list of a channel not saved yet', async () => {
    const outcome = await leaveWhileWaiting('/api/channels/upstream-models', {
      ...admin('POST'),
      body: JSON.stringify({ type: 'openai', baseUrl: `http://127.0.0.1:${upstream.port}`, key: 'sk-up' }),
    })
    expect(outcome).toEqual({ upstreamPath: '/v1/models', upstreamAborted: true })
  })
})
