import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import Redis from 'ioredis'
import { waitFor } from '../../tests/support/wait-for.ts'
import type { ChangeBus } from './change-bus.ts'
import { createRedisChangeBus } from './redis-change-bus.ts'

const redisUrl = process.env.TEST_REDIS_URL

/** A listener that counts its calls. */
function counter() {
  const state = { calls: 0, listener: () => {} }
  state.listener = () => {
    state.calls++
  }
  return state
}

/** Drops the server side of the connection with this CLIENT SETNAME, as a network blip would. */
async function killClient(admin: Redis, name: string): Promise<void> {
  const clients = String(await admin.call('CLIENT', 'LIST')).split('\n')
  const id = clients.find((entry) => entry.includes(` name=${name} `))?.match(/^id=(\d+) /)?.[1]
  if (!id) throw new Error(`no Redis client named ${name}`)
  await admin.call('CLIENT', 'KILL', 'ID', id)
}

describe.skipIf(!redisUrl)('createRedisChangeBus (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`
  const errors: unknown[] = []
  let busA: ChangeBus
  let busB: ChangeBus
  let admin: Redis

  beforeAll(async () => {
    const onError = (error: unknown) => errors.push(error)
    busA = await createRedisChangeBus({ redisUrl: redisUrl ?? '', prefix, instanceId: 'a', onError })
    busB = await createRedisChangeBus({ redisUrl: redisUrl ?? '', prefix, instanceId: 'b', onError })
    admin = new Redis(redisUrl ?? '')
  })

  afterAll(async () => {
    await busA.close()
    await busB.close()
    await admin.quit()
  })

  test('a publish runs the local listener before resolving and the other replica once shortly after', async () => {
    const onA = counter()
    const onB = counter()
    const removeA = busA.subscribe('tokens', onA.listener)
    const removeB = busB.subscribe('tokens', onB.listener)
    await busA.publish('tokens')
    expect(onA.calls).toBe(1)
    await waitFor(() => onB.calls >= 1)
    await Bun.sleep(150) // room for a wrongly echoed second run
    expect(onA.calls).toBe(1)
    expect(onB.calls).toBe(1)
    removeA()
    removeB()
  })

  test('topics are independent', async () => {
    const tokensOnB = counter()
    const usersOnB = counter()
    const removeTokens = busB.subscribe('tokens', tokensOnB.listener)
    const removeUsers = busB.subscribe('users', usersOnB.listener)
    await busA.publish('users')
    await waitFor(() => usersOnB.calls >= 1)
    await Bun.sleep(100)
    expect(usersOnB.calls).toBe(1)
    expect(tokensOnB.calls).toBe(0)
    removeTokens()
    removeUsers()
  })

  test('after its subscriber connection is killed, a replica reloads every cache and keeps receiving', async () => {
    const tokensOnB = counter()
    const optionsOnB = counter()
    const removeTokens = busB.subscribe('tokens', tokensOnB.listener)
    const removeOptions = busB.subscribe('options', optionsOnB.listener)
    await killClient(admin, `${prefix}change-bus:b:subscriber`)
    await waitFor(() => tokensOnB.calls >= 1 && optionsOnB.calls >= 1)
    expect(tokensOnB.calls).toBe(1)
    expect(optionsOnB.calls).toBe(1)
    await busA.publish('options')
    await waitFor(() => optionsOnB.calls >= 2)
    expect(tokensOnB.calls).toBe(1)
    removeTokens()
    removeOptions()
  })

  test('a notice published while the publisher connection is down still arrives', async () => {
    const onB = counter()
    const removeB = busB.subscribe('channels', onB.listener)
    await killClient(admin, `${prefix}change-bus:a:publisher`)
    await busA.publish('channels')
    await waitFor(() => onB.calls >= 1)
    await Bun.sleep(100)
    expect(onB.calls).toBe(1)
    removeB()
  })

  test('a listener failure reaches onError and spares the other listeners', async () => {
    const healthy = counter()
    const removeFailing = busB.subscribe('access-tokens', () => {
      throw new Error('reload failed')
    })
    const removeHealthy = busB.subscribe('access-tokens', healthy.listener)
    const before = errors.length
    await busA.publish('access-tokens')
    await waitFor(() => healthy.calls >= 1)
    expect(errors.slice(before).map(String)).toEqual(['Error: reload failed'])
    removeFailing()
    removeHealthy()
  })

  test('close() stops delivery', async () => {
    const prefixC = `test:${randomUUID()}:`
    const busC = await createRedisChangeBus({ redisUrl: redisUrl ?? '', prefix: prefixC, instanceId: 'c' })
    const busD = await createRedisChangeBus({ redisUrl: redisUrl ?? '', prefix: prefixC, instanceId: 'd' })
    const onD = counter()
    busD.subscribe('channels', onD.listener)
    await busC.publish('channels')
    await waitFor(() => onD.calls === 1)
    await busD.close()
    await busC.publish('channels')
    await Bun.sleep(200)
    expect(onD.calls).toBe(1)
    await busC.close()
    await busC.publish('channels') // a no-op after close, not an error
  })
})
