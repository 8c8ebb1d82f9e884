import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// An upstream that answers 3xx must never get the channel's key forwarded to another host: the channel
// test, the relay and the upstream model list all send the key, so none of them may follow a redirect.
// A second server on 127.0.0.1 stands for the other host and records every request it sees.

const KEY = 'sk-channel-secret-0123456789'

interface Seen {
  path: string
  authorization: string | null
}

describe('upstream redirects keep the channel key at its base URL', () => {
  let gateway: TestGateway
  let redirecting: Server<undefined>
  let elsewhere: Server<undefined>
  const seenElsewhere: Seen[] = []
  let channelId: number
  let relayKey: string

  beforeAll(async () => {
    elsewhere = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(request) {
        seenElsewhere.push({ path: new URL(request.url).pathname, authorization: request.headers.get('authorization') })
        return Response.json({ object: 'list', data: [] })
      },
    })
    // Every path redirects to the same path on the other server, as a moved API would.
    redirecting = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => new Response(null, { status: 302, headers: { location: `http://127.0.0.1:${elsewhere.port}${new URL(request.url).pathname}` } }),
    })
    gateway = await startGateway()
    channelId = await gateway.createChannel({
      name: 'moved',
      type: 'openai',
      key: KEY,
      baseUrl: `http://127.0.0.1:${redirecting.port}`,
      models: ['gpt-4o-mini'],
    })
    relayKey = (await gateway.createToken({ name: 'redirects', quota: 1_000_000 })).key
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await redirecting.stop(true)
    await elsewhere.stop(true)
  })

  beforeEach(() => {
    seenElsewhere.length = 0
  })

  test('the channel test reports the redirect as a failure and the other host never sees the key', async () => {
    const result = await gateway.admin<{ ok: boolean; status: number; message: string }>('POST', `/api/channels/${channelId}/test`, {})
    expect(result.ok).toBe(false)
    expect(result.status).toBe(302)
    expect(result.message).toContain(`redirecting to http://127.0.0.1:${elsewhere.port}/v1/chat/completions`)
    expect(result.message).toContain('not followed')
    expect(seenElsewhere).toEqual([])
  })

  test('a relayed call is not followed to the other host either', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(seenElsewhere).toEqual([])
  })

  test('listing the upstream models is not followed either', async () => {
    const response = await gateway.adminResponse('GET', `/api/channels/${channelId}/upstream-models`)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(seenElsewhere).toEqual([])
  })
})
