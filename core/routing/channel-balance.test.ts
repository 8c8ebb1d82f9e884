import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import type { BalanceReader } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { createBalanceSender, hostMatches, pickBalanceReader, redactKey } from './channel-balance.ts'
import { balanceTransition, isLowBalance, LOW_BALANCE_REASON } from './balance-refresh.ts'

const reader = (id: string, hosts?: string[]): BalanceReader => ({ id, label: id, hosts, read: async () => ({ amount: 0, currency: 'USD' }) })
const readers = [reader('openrouter', ['openrouter.ai']), reader('moonshot', ['api.moonshot.cn', 'api.moonshot.ai']), reader('billing')]

describe('choosing a balance reader', () => {
  test('a named reader wins; an unknown name finds none', () => {
    expect(pickBalanceReader(readers, 'billing', 'https://openrouter.ai/api/v1')?.id).toBe('billing')
    expect(pickBalanceReader(readers, 'nope', 'https://openrouter.ai/api/v1')).toBeUndefined()
  })

  test("without a name the base URL's host decides, subdomains included; other hosts and bad URLs find none", () => {
    expect(pickBalanceReader(readers, null, 'https://openrouter.ai/api/v1')?.id).toBe('openrouter')
    expect(pickBalanceReader(readers, null, 'https://eu.openrouter.ai/api/v1')?.id).toBe('openrouter')
    expect(pickBalanceReader(readers, null, 'https://API.MOONSHOT.AI/v1')?.id).toBe('moonshot')
    expect(pickBalanceReader(readers, null, 'https://notopenrouter.ai/api/v1')).toBeUndefined()
    expect(pickBalanceReader(readers, null, 'http://127.0.0.1:8080/v1')).toBeUndefined()
    expect(pickBalanceReader(readers, null, 'not a url')).toBeUndefined()
    expect(pickBalanceReader(undefined, 'openrouter', 'https://openrouter.ai')).toBeUndefined()
  })

  test('hostMatches takes the host itself or a subdomain, nothing that merely ends alike', () => {
    expect(hostMatches('openrouter.ai', 'openrouter.ai')).toBe(true)
    expect(hostMatches('x.openrouter.ai', 'openrouter.ai')).toBe(true)
    expect(hostMatches('evilopenrouter.ai', 'openrouter.ai')).toBe(false)
  })
})

describe('low balance', () => {
  test('under the threshold, or unusable by the vendor, is low; no threshold and usable is not', () => {
    expect(isLowBalance({ amount: 4.99 }, 5)).toBe(true)
    expect(isLowBalance({ amount: 5 }, 5)).toBe(false)
    expect(isLowBalance({ amount: 1000 }, null)).toBe(false)
    expect(isLowBalance({ amount: 1000, available: false }, null)).toBe(true)
    expect(isLowBalance({ amount: -3 }, 0)).toBe(true)
  })

  test('acts on crossings: disable only when asked and enabled; enable only what the balance refresh disabled', () => {
    const enabled = { low: false, autoDisable: true, status: 'enabled' as const, statusReason: null }
    expect(balanceTransition(enabled, true)).toEqual({ event: 'low', action: 'disable' })
    expect(balanceTransition({ ...enabled, autoDisable: false }, true)).toEqual({ event: 'low', action: null })
    expect(balanceTransition({ ...enabled, status: 'manually-disabled' }, true)).toEqual({ event: 'low', action: null })
    expect(balanceTransition({ ...enabled, low: true }, true)).toEqual({ event: null, action: null })
    const disabledForBalance = {
      low: true,
      autoDisable: true,
      status: 'auto-disabled' as const,
      statusReason: `${LOW_BALANCE_REASON}balance 1 USD is below the threshold 5 USD`,
    }
    expect(balanceTransition(disabledForBalance, false)).toEqual({ event: 'recovered', action: 'enable' })
    expect(balanceTransition({ ...disabledForBalance, statusReason: 'upstream answered HTTP 401' }, false)).toEqual({ event: 'recovered', action: null })
    expect(balanceTransition({ ...enabled, low: true }, false)).toEqual({ event: 'recovered', action: null })
    expect(balanceTransition(enabled, false)).toEqual({ event: null, action: null })
  })
})

test('redactKey masks every occurrence of the key', () => {
  expect(redactKey('key sk-abcdefghijkl rejected; sk-abcdefghijkl again', 'sk-abcdefghijkl')).toBe('key sk-…ijkl rejected; sk-…ijkl again')
})

describe('the balance sender', () => {
  let server: Server<undefined>
  let base: string
  const hits: string[] = []

  beforeAll(() => {
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request) {
        const path = new URL(request.url).pathname
        hits.push(path)
        if (path === '/moved') return new Response(null, { status: 301, headers: { location: '/target' } })
        if (path === '/slow') await Bun.sleep(500)
        if (path === '/text') return new Response('not json', { status: 503 })
        return Response.json({ ok: true })
      },
    })
    base = `http://127.0.0.1:${server.port}`
  })
  afterAll(async () => {
    await server.stop(true)
  })

  test('answers status, text and parsed JSON (undefined when not JSON)', async () => {
    const send = createBalanceSender(2000)
    expect(await send({ url: `${base}/ok`, method: 'GET', headers: {} })).toEqual({ status: 200, text: '{"ok":true}', json: { ok: true } })
    expect(await send({ url: `${base}/text`, method: 'GET', headers: {} })).toEqual({ status: 503, text: 'not json', json: undefined })
  })

  test('a redirect is an error and is not followed', async () => {
    hits.length = 0
    const failure = await createBalanceSender(2000)({ url: `${base}/moved`, method: 'GET', headers: { authorization: 'Bearer secret' } }).catch(
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(GatewayError)
    expect((failure as GatewayError).status).toBe(502)
    expect((failure as GatewayError).message).toContain('redirect (HTTP 301)')
    expect(hits).toEqual(['/moved'])
  })

  test('a slow upstream is a 504 after the timeout; a closed port a 502', async () => {
    const slow = await createBalanceSender(100)({ url: `${base}/slow`, method: 'GET', headers: {} }).catch((error: unknown) => error)
    expect(slow).toMatchObject({ status: 504, code: 'upstream_timeout' })
    const closed = await createBalanceSender(2000)({ url: 'http://127.0.0.1:9/x', method: 'GET', headers: {} }).catch((error: unknown) => error)
    expect(closed).toMatchObject({ status: 502, code: 'upstream_unreachable' })
  })
})
