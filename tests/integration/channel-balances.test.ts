import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { channels } from '../../core/db/schema.ts'
import { retestDisabledChannels } from '../../core/jobs/channel-retests.ts'
import { scheduleBalanceRefresh } from '../../core/jobs/balance-refresh-job.ts'
import { createMemoryLeaseManager, createMemoryLeaseStore } from '../../core/jobs/lease-memory.ts'
import { createBalanceRefresher } from '../../core/routing/balance-refresh.ts'
import type { ChannelView } from '../../schemas/admin/channels.ts'
import { testBackends } from '../support/context.ts'
import { RECORDED_AMOUNTS, startFakeBalanceVendor, type BalanceVendor, type FakeBalanceVendor } from '../support/fake-balance-vendors.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'

// Channel balances through the admin API: each vendor's documented balance shape read from a fake
// upstream, refresh one and all, failures stored (key never shown), the low-balance flag with its log
// row, auto-disable taking the channel out of traffic and recovery putting it back, and the leased job.

const VENDOR_KEY = 'sk-vendor-secret-0123456789abcdef'
const VENDORS: BalanceVendor[] = ['openrouter', 'deepseek', 'siliconflow', 'moonshot']

/** Polls until `condition` holds, failing after `timeoutMs`. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await Bun.sleep(20)
  }
}

for (const backend of testBackends) {
  describe(`channel balances (${backend.name})`, () => {
    let gateway: TestGateway
    const fakes = {} as Record<BalanceVendor, FakeBalanceVendor>
    const ids = {} as Record<BalanceVendor, number>
    let relayKey: string
    let userToken: string

    const channel = (id: number) => gateway.admin<ChannelView>('GET', `/api/channels/${id}`)
    const refresh = (id: number) => gateway.adminResponse('POST', `/api/channels/${id}/balance/refresh`)
    const chat = (model: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      })

    beforeAll(async () => {
      for (const vendor of VENDORS) fakes[vendor] = await startFakeBalanceVendor(vendor, { key: VENDOR_KEY })
      gateway = await startGateway(backend)
      for (const vendor of VENDORS) {
        // The fakes listen on 127.0.0.1, so the reader is named explicitly instead of picked by host.
        ids[vendor] = await gateway.createChannel({
          name: `${vendor}-account`,
          type: 'openai-compatible',
          key: VENDOR_KEY,
          baseUrl: fakes[vendor].baseUrl,
          models: [`${vendor}-model`],
          balanceSource: vendor,
        })
      }
      await gateway.admin('PATCH', '/api/options', {
        modelPrices: Object.fromEntries(VENDORS.map((vendor) => [`${vendor}-model`, { inputPerMTok: 1, outputPerMTok: 1 }])),
      })
      relayKey = (await gateway.createToken({ name: 'balances', quota: 100_000_000 })).key
      await gateway.admin('POST', '/api/users', { username: 'plain-user', password: 'password-123' })
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'plain-user', password: 'password-123' }),
      })
      userToken = ((await login.json()) as { accessToken: string }).accessToken
    })
    afterAll(async () => {
      await gateway.stop()
      for (const fake of Object.values(fakes)) await fake.stop()
    })

    test("refreshing one channel reads each vendor's documented shape; the list shows amount, currency and when; the key never appears", async () => {
      for (const vendor of VENDORS) {
        const response = await refresh(ids[vendor])
        const text = await response.text()
        expect(response.status).toBe(200)
        expect(text).not.toContain(VENDOR_KEY)
        const view = JSON.parse(text) as ChannelView
        expect(view.balance).toMatchObject({
          reader: vendor,
          amount: RECORDED_AMOUNTS[vendor].amount,
          currency: RECORDED_AMOUNTS[vendor].currency,
          error: null,
          low: false,
        })
        expect(Date.now() - Date.parse(view.balance.readAt ?? '')).toBeLessThan(60_000)
        expect(fakes[vendor].requests.at(-1)?.headers.authorization).toBe(`Bearer ${VENDOR_KEY}`)
      }
      const listed = await gateway.adminResponse('GET', '/api/channels?pageSize=100')
      const text = await listed.text()
      expect(text).not.toContain(VENDOR_KEY)
      const items = (JSON.parse(text) as { items: ChannelView[] }).items
      expect(Object.fromEntries(items.map((item) => [item.name, [item.balance.amount, item.balance.currency]]))).toMatchObject({
        'openrouter-account': [74.75, 'USD'],
        'deepseek-account': [110, 'CNY'],
        'siliconflow-account': [88.88, 'CNY'],
        'moonshot-account': [49.58894, 'CNY'],
      })
      expect(items.find((item) => item.id === ids.deepseek)?.balance.details).toEqual({ granted: 10, toppedUp: 100 })
      expect(items.find((item) => item.id === ids.deepseek)?.balance.available).toBe(true)
    })

    test('refresh all reads every readable channel a few at a time and skips the rest', async () => {
      const crowd = await startFakeBalanceVendor('moonshot', { key: VENDOR_KEY })
      try {
        const extra: number[] = []
        for (let index = 0; index < 8; index += 1) {
          extra.push(
            await gateway.createChannel({
              name: `crowd-${index}`,
              type: 'openai-compatible',
              key: VENDOR_KEY,
              baseUrl: crowd.baseUrl,
              models: ['crowd-model'],
              balanceSource: 'moonshot',
            }),
          )
        }
        const unreadable = await gateway.createChannel({
          name: 'no-reader',
          type: 'openai-compatible',
          key: VENDOR_KEY,
          baseUrl: 'http://127.0.0.1:9',
          models: ['crowd-model'],
        })
        crowd.queue(...Array.from({ length: 8 }, () => ({ kind: 'slow' as const, delayMs: 150 })))
        crowd.setAmount(12.5)
        const summary = await gateway.admin<{
          refreshed: number
          failed: number
          skipped: number
          outcomes: Array<{ channelId: number; ok: boolean; amount: number | null }>
        }>('POST', '/api/channels/balances/refresh')
        expect(summary.failed).toBe(0)
        expect(summary.refreshed).toBe(VENDORS.length + 8)
        expect(summary.outcomes.map((outcome) => outcome.channelId)).not.toContain(unreadable)
        expect(summary.skipped).toBeGreaterThanOrEqual(1)
        expect(summary.outcomes.filter((outcome) => extra.includes(outcome.channelId)).map((outcome) => outcome.amount)).toEqual(Array(8).fill(12.5))
        expect(crowd.maxConcurrentBalance()).toBeGreaterThan(1)
        expect(crowd.maxConcurrentBalance()).toBeLessThanOrEqual(4)
        expect((await channel(unreadable)).balance).toMatchObject({ reader: null, amount: null, readAt: null })
        const single = await refresh(unreadable)
        expect(single.status).toBe(501)
        expect(((await single.json()) as { error: { code: string } }).error.code).toBe('not_implemented')
        for (const id of [...extra, unreadable]) await gateway.admin('DELETE', `/api/channels/${id}`)
      } finally {
        await crowd.stop()
      }
    })

    test('a failed read answers 502, keeps the last amount and stores the error without the key', async () => {
      const fake = fakes.deepseek
      fake.queue({ kind: 'status', status: 401 })
      const refused = await refresh(ids.deepseek)
      expect(refused.status).toBe(502)
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('Authentication Fails')
      let view = await channel(ids.deepseek)
      expect(view.balance).toMatchObject({ amount: 110, currency: 'CNY' })
      expect(view.balance.error).toContain('HTTP 401')
      expect(Date.parse(view.balance.checkedAt ?? '')).toBeGreaterThan(Date.parse(view.balance.readAt ?? ''))

      // An upstream that quotes the key back: stored and answered masked.
      fake.queue({ kind: 'status', status: 400, body: { error: { message: `key ${VENDOR_KEY} is not allowed here` } } })
      const quoted = await refresh(ids.deepseek)
      const text = await quoted.text()
      expect(quoted.status).toBe(502)
      expect(text).not.toContain(VENDOR_KEY)
      expect(text).toContain('sk-…cdef')
      view = await channel(ids.deepseek)
      expect(view.balance.error).not.toContain(VENDOR_KEY)

      fake.queue({ kind: 'wrong-shape' })
      const wrong = await refresh(ids.deepseek)
      expect(wrong.status).toBe(502)
      expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain('unexpected shape')

      const ok = await refresh(ids.deepseek)
      expect(ok.status).toBe(200)
      expect(((await ok.json()) as ChannelView).balance.error).toBeNull()
    })

    test('a redirect is not followed, so the key never reaches the address it points to', async () => {
      const elsewhere = await startFakeBalanceVendor('openrouter')
      try {
        fakes.openrouter.queue({ kind: 'redirect', location: `${elsewhere.baseUrl}/credits` })
        const response = await refresh(ids.openrouter)
        expect(response.status).toBe(502)
        expect(((await response.json()) as { error: { message: string } }).error.message).toContain('redirect (HTTP 302)')
        expect(elsewhere.requests).toEqual([])
      } finally {
        await elsewhere.stop()
      }
    })

    test('below the threshold: flagged with a system log row, auto-disabled so relay traffic stops; back above: enabled again', async () => {
      const fake = fakes.moonshot
      const id = ids.moonshot
      await gateway.admin('PATCH', `/api/channels/${id}`, { balanceThreshold: 10, balanceAutoDisable: true })
      expect((await chat('moonshot-model')).status).toBe(200)
      const served = fake.chatRequests()
      expect(served).toBe(1)

      fake.setAmount(4.2)
      const low = (await (await refresh(id)).json()) as ChannelView
      expect(low.balance).toMatchObject({ amount: 4.2, currency: 'CNY', low: true })
      expect(low.status).toBe('auto-disabled')
      expect(low.statusReason).toContain('balance 4.2 CNY is below the threshold 10 CNY')
      const rows = await gateway.logs({ type: 'system' })
      expect(rows.some((row) => row.channelId === id && String(row.content).includes('moonshot-account": balance 4.2 CNY is below the threshold 10 CNY'))).toBe(
        true,
      )

      const refused = await chat('moonshot-model')
      expect(refused.status).toBe(503)
      expect(fake.chatRequests()).toBe(served)

      // The health re-tests would pass (the upstream still answers), but a low-balance channel is left to the balance refresh.
      expect(await retestDisabledChannels(gateway.context, gateway.services.directory, gateway.services.health)).not.toContain(id)
      expect((await channel(id)).status).toBe('auto-disabled')

      // Still low: no second log row.
      await refresh(id)
      expect(
        (await gateway.logs({ type: 'system' })).filter((row) => String(row.content).includes('"moonshot-account": balance 4.2 CNY is below')).length,
      ).toBe(1)

      fake.setAmount(25)
      const back = (await (await refresh(id)).json()) as ChannelView
      expect(back.balance.low).toBe(false)
      expect(back.status).toBe('enabled')
      expect(
        (await gateway.logs({ type: 'system' })).some(
          (row) => row.channelId === id && String(row.content).includes('balance 25 CNY is back at or above the threshold 10 CNY'),
        ),
      ).toBe(true)
      expect((await chat('moonshot-model')).status).toBe(200)
      expect(fake.chatRequests()).toBe(served + 1)
    })

    test('flagged without auto-disable: the channel keeps serving', async () => {
      const fake = fakes.siliconflow
      const id = ids.siliconflow
      await gateway.admin('PATCH', `/api/channels/${id}`, { balanceThreshold: 100, balanceAutoDisable: false })
      const view = (await (await refresh(id)).json()) as ChannelView
      expect(view.balance).toMatchObject({ amount: 88.88, low: true })
      expect(view.status).toBe('enabled')
      expect((await chat('siliconflow-model')).status).toBe(200)
      expect(fake.chatRequests()).toBe(1)
      await gateway.admin('PATCH', `/api/channels/${id}`, { balanceThreshold: null })
      expect(((await (await refresh(id)).json()) as ChannelView).balance.low).toBe(false)
    })

    test('threshold and reader are validated in the admin error shape', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ balanceThreshold: -1 }, 'balanceThreshold', 'greater or equal to 0'],
        [
          { balanceSource: 'no-such-reader' },
          'balanceSource',
          'has no balance reader "no-such-reader" (known: openrouter, deepseek, siliconflow, moonshot, openai-billing)',
        ],
        [{ balanceSource: 'Not An Id' }, 'balanceSource', 'must be a balance reader id'],
        [{ balanceAutoDisable: 'yes' }, 'balanceAutoDisable', ''],
      ]
      for (const [body, field, words] of cases) {
        const response = await gateway.adminResponse('PATCH', `/api/channels/${ids.openrouter}`, body)
        expect(response.status).toBe(400)
        const error = ((await response.json()) as { error: { code: string; field: string; message: string } }).error
        expect(error).toMatchObject({ code: 'invalid_request', field })
        expect(error.message).toContain(words)
      }
      const types = await gateway.admin<Array<{ id: string; balanceReaders: Array<{ id: string; hosts: string[] }> }>>('GET', '/api/channel-types')
      expect(types.find((type) => type.id === 'openai-compatible')?.balanceReaders.map((reader) => reader.id)).toEqual([
        'openrouter',
        'deepseek',
        'siliconflow',
        'moonshot',
        'openai-billing',
      ])
      expect(types.find((type) => type.id === 'claude')?.balanceReaders ?? []).toEqual([])
    })

    test('a channel with no balanceSource gets its reader from the host; other hosts have none', async () => {
      const id = await gateway.createChannel({
        name: 'by-host',
        type: 'openai-compatible',
        key: VENDOR_KEY,
        baseUrl: 'https://api.deepseek.com/v1',
        models: ['x-model'],
      })
      expect((await channel(id)).balance.reader).toBe('deepseek')
      await gateway.admin('PATCH', `/api/channels/${id}`, { baseUrl: 'https://openrouter.ai/api/v1' })
      expect((await channel(id)).balance.reader).toBe('openrouter')
      await gateway.admin('PATCH', `/api/channels/${id}`, { baseUrl: 'https://llm.internal.example/v1' })
      expect((await channel(id)).balance.reader).toBeNull()
      await gateway.admin('DELETE', `/api/channels/${id}`)
    })

    test('only admins may refresh', async () => {
      for (const path of [`/api/channels/${ids.openrouter}/balance/refresh`, '/api/channels/balances/refresh']) {
        const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${userToken}` } })
        expect(response.status).toBe(403)
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden')
        expect((await fetch(`${gateway.url}${path}`, { method: 'POST' })).status).toBe(401)
      }
    })

    test('the leased job reads due channels on one replica only, and again once their reading is older than the interval', async () => {
      const db = gateway.context.database.db
      // Nothing read yet, as on a fresh install.
      await db.update(channels).set({ balanceCheckedAt: null })
      const before = Object.fromEntries(VENDORS.map((vendor) => [vendor, fakes[vendor].balanceRequests()]))
      const store = createMemoryLeaseStore()
      const refresher = createBalanceRefresher(gateway.context, gateway.services.directory, gateway.services.health)
      const replicas = ['a', 'b'].map((holderId) =>
        scheduleBalanceRefresh(gateway.context, refresher, { tickMs: 40, ttlMs: 5000, leases: createMemoryLeaseManager({ store, holderId }) }),
      )
      try {
        await waitFor(async () => (await db.select({ checked: channels.balanceCheckedAt }).from(channels)).every((row) => row.checked !== null))
        await Bun.sleep(300)
        for (const vendor of VENDORS) expect(fakes[vendor].balanceRequests() - before[vendor]!).toBe(1)

        await db.update(channels).set({ balanceCheckedAt: sql`now() - interval '2 hours'` }).where(eq(channels.id, ids.openrouter))
        await waitFor(() => fakes.openrouter.balanceRequests() - before.openrouter! === 2)
        await Bun.sleep(200)
        expect(fakes.deepseek.balanceRequests() - before.deepseek!).toBe(1)
      } finally {
        for (const job of replicas) await job.stop()
      }
    })

    test('with the interval option at 0 the job reads nothing', async () => {
      await gateway.admin('PATCH', '/api/options', { channelHealth: { balanceRefreshMinutes: 0 } })
      await gateway.context.database.db.update(channels).set({ balanceCheckedAt: null })
      const before = fakes.openrouter.balanceRequests()
      const job = scheduleBalanceRefresh(gateway.context, createBalanceRefresher(gateway.context, gateway.services.directory, gateway.services.health), {
        tickMs: 30,
      })
      await Bun.sleep(200)
      await job.stop()
      expect(fakes.openrouter.balanceRequests()).toBe(before)
      await gateway.admin('PATCH', '/api/options', { channelHealth: { balanceRefreshMinutes: 60 } })
    })
  })
}
