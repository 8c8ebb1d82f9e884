import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import Redis from 'ioredis'
import type { Reservation } from './balance-store.ts'
import { createRedisBalanceStore, type RedisBalanceStore } from './redis-balance-store.ts'

const redisUrl = process.env.TEST_REDIS_URL

// Which connection carries a call's reserve and settle. A call alone in flight on a replica goes on the
// connection without auto-pipelining, written at once (at c=1 the pipelined one waited a loop turn per
// command for company that could not come); calls in flight together share the pipelined connection.

/** Counts the script calls (EVALSHA) a connection is asked to send. */
function counted(client: Redis): { client: Redis; scripts: () => number } {
  let scripts = 0
  const send = client.evalsha.bind(client)
  client.evalsha = ((...args: Parameters<Redis['evalsha']>) => {
    scripts++
    return send(...args)
  }) as Redis['evalsha']
  return { client, scripts: () => scripts }
}

describe.skipIf(!redisUrl)('Redis balance store: the connection of a reserve and a settle', () => {
  const prefix = `test:ledger:${randomUUID()}:`
  const payer = { userId: 1, tokenId: null, unlimited: false }
  let piped: ReturnType<typeof counted>
  let solo: ReturnType<typeof counted>
  let store: RedisBalanceStore

  beforeAll(async () => {
    piped = counted(new Redis(redisUrl ?? '', { enableAutoPipelining: true }))
    solo = counted(new Redis(redisUrl ?? '', { enableAutoPipelining: false }))
    store = createRedisBalanceStore({
      client: piped.client,
      soloClient: solo.client,
      blockingClient: () => new Redis(redisUrl ?? ''),
      prefix,
      replicaId: 'test-replica',
    })
    await store.adopt(new Map([['u:1', { quota: 1_000_000, version: 1 }]]))
  })

  afterAll(async () => {
    await store.close()
    const keys = await piped.client.keys(`${prefix}*`)
    if (keys.length > 0) await piped.client.del(...keys)
    await Promise.all([piped.client.quit(), solo.client.quit()])
  })

  const held = async (estimate: number): Promise<Reservation> => {
    const outcome = await store.reserve(payer, estimate, 1)
    if (outcome.kind !== 'held') throw new Error(`not held: ${outcome.kind}`)
    return outcome.reservation
  }
  const settle = (reservation: Reservation, actual: number) => store.settle(reservation, actual, { log: { type: 'consume', quota: 0 } })
  const sent = () => ({ piped: piped.scripts(), solo: solo.scripts() })

  test('a call alone in flight reserves and settles on the unpipelined connection', async () => {
    const before = sent()
    const charge = await settle(await held(100), 40)
    expect(charge.charged).toBe(40)
    expect({ piped: sent().piped - before.piped, solo: sent().solo - before.solo }).toEqual({ piped: 0, solo: 2 })
    expect(await store.peek(payer)).toBe(1_000_000 - 40)
  })

  test('calls in flight together share the pipelined connection; the books stay exact', async () => {
    const before = sent()
    const first = await held(100)
    // The first call's hold is live: the second and third are not alone, and neither is the first's settle.
    const [second, third] = await Promise.all([held(100), held(100)])
    await Promise.all([settle(first, 10), settle(second, 20)])
    // The third is alone again by the time it settles.
    await settle(third, 30)
    expect({ piped: sent().piped - before.piped, solo: sent().solo - before.solo }).toEqual({ piped: 4, solo: 2 })
    expect(await store.peek(payer)).toBe(1_000_000 - 40 - 60)
  })
})
