import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import { GatewayError } from '../errors.ts'
import { readUpstream, sendUpstream, UpstreamRedirectError } from './channel-client.ts'

// The channel client against a real server on 127.0.0.1: what every upstream request of the gateway gets.

describe('the channel client', () => {
  let server: Server<undefined>
  let base: string
  const hits: string[] = []
  const aborted: string[] = []

  beforeAll(() => {
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      idleTimeout: 0,
      async fetch(request) {
        const path = new URL(request.url).pathname
        hits.push(path)
        if (path === '/moved') return new Response('moved', { status: 307, headers: { location: '/elsewhere' } })
        if (path === '/hang') {
          await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))
          aborted.push(path)
          return new Response(null, { status: 499 })
        }
        if (path === '/late-body') {
          // Headers at once, the body after the deadline: a stream that stopped its timer still gets it.
          const body = new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('first '))
              await Bun.sleep(300)
              controller.enqueue(new TextEncoder().encode('last'))
              controller.close()
            },
          })
          return new Response(body)
        }
        return new Response('ok')
      },
    })
    base = `http://127.0.0.1:${server.port}`
  })
  afterAll(async () => {
    await server.stop(true)
  })

  const get = (path: string) => ({ url: `${base}${path}`, method: 'GET' as const, headers: { authorization: 'Bearer sk-secret' } })

  test('a redirect is an upstream error naming where it pointed, resolved to a full URL, and is not followed', async () => {
    hits.length = 0
    const failure = await readUpstream(get('/moved'), { timeoutMs: 2000, purpose: 'the test request' }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UpstreamRedirectError)
    expect(failure).toMatchObject({ status: 502, code: 'upstream_error', upstreamStatus: 307, location: `${base}/elsewhere` })
    expect((failure as GatewayError).message).toContain('The upstream answered the test request with a redirect (HTTP 307)')
    expect(hits).toEqual(['/moved'])
  })

  test('the asker going away aborts the upstream request: 499, and the upstream sees it end', async () => {
    aborted.length = 0
    const asker = new AbortController()
    const pending = readUpstream(get('/hang'), { timeoutMs: 5000, signal: asker.signal, purpose: 'the test request' }).catch((error: unknown) => error)
    await Bun.sleep(50)
    asker.abort()
    expect(await pending).toMatchObject({ status: 499, code: 'client_closed_request' })
    for (let i = 0; i < 50 && aborted.length === 0; i++) await Bun.sleep(10)
    expect(aborted).toEqual(['/hang'])
  })

  test('an asker already gone sends nothing that waits', async () => {
    const asker = new AbortController()
    asker.abort()
    expect(
      await readUpstream(get('/hang'), { timeoutMs: 5000, signal: asker.signal, purpose: 'the test request' }).catch((error: unknown) => error),
    ).toMatchObject({ status: 499 })
  })

  test('the deadline is a retryable 504 naming what was asked', async () => {
    const failure = await readUpstream(get('/hang'), { timeoutMs: 100, purpose: 'the test request' }).catch((error: unknown) => error)
    expect(failure).toMatchObject({ status: 504, code: 'upstream_timeout', message: 'The upstream did not answer the test request within 0.1 s' })
    expect((failure as GatewayError).options.retryable).toBe(true)
  })

  test('a stream that stopped its timer reads past the deadline; after release the asker no longer aborts it', async () => {
    const asker = new AbortController()
    const exchange = await sendUpstream(get('/late-body'), { timeoutMs: 100, signal: asker.signal, purpose: 'the test request' })
    exchange.stopTimer()
    exchange.release()
    asker.abort()
    expect(await exchange.text()).toBe('first last')
    expect(exchange.abort.signal.aborted).toBe(false)
  })

  test('a closed port is a retryable 502', async () => {
    const failure = await readUpstream({ url: 'http://127.0.0.1:9/x', method: 'GET', headers: {} }, { timeoutMs: 2000, purpose: 'the test request' }).catch(
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ status: 502, code: 'upstream_unreachable' })
  })
})
