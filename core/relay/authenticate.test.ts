import { afterAll, afterEach, beforeAll, describe, expect, setSystemTime, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { accessTokens, tokens, users } from '../db/schema.ts'
import { createActorResolver } from '../http/actor.ts'
import { sha256Hex } from '../security/crypto.ts'
import { startGateway, type TestGateway } from '../../tests/support/gateway.ts'
import { createKeyAuthenticator, type KeyAuthenticator } from './authenticate.ts'

// The relay key cache and the admin API's token cache, against a real database: how many lookups a burst of calls costs, and how old
// an answer it may give after the database changed behind its back (a lost invalidation).

let gateway: TestGateway
let userId: number
/** Key lookups that reached the database since the test started. */
let lookups = 0

beforeAll(async () => {
  gateway = await startGateway()
  userId = await gateway.createUser({ username: 'cache-owner', quota: 1_000_000 })
  const database = gateway.context.database
  const db = database.db
  // Counts the caches' queries (the only `select`s on this context while these tests run), and can hold
  // back their answers until a test lets them go; the real database answers them.
  database.db = new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (property !== 'select') return typeof value === 'function' ? value.bind(target) : value
      return (...args: unknown[]) => {
        lookups += 1
        return heldUntil(value.apply(target, args), gate)
      }
    },
  })
})

/** Lookups' answers reach the caches only once this settles. */
let gate: Promise<void> = Promise.resolve()

/** A drizzle query builder that runs its query when awaited, as always, but hands the rows over only once `until` settles. */
function heldUntil<T extends object>(builder: T, until: Promise<void>): T {
  return new Proxy(builder, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      if (property === 'then')
        return (resolve: (rows: unknown) => unknown, reject: (error: unknown) => unknown) =>
          value.call(
            target,
            (rows: unknown) => until.then(() => resolve(rows)),
            (error: unknown) => until.then(() => reject(error)),
          )
      return (...args: unknown[]) => heldUntil(value.apply(target, args), until)
    },
  })
}

afterAll(async () => {
  await gateway.stop()
})

afterEach(() => {
  setSystemTime()
})

/** A fresh key and an authenticator that has never seen it; lookups counted from here. */
async function freshKey(): Promise<{ key: string; tokenId: number; authenticator: KeyAuthenticator }> {
  const { id, key } = await gateway.createToken({ userId, unlimited: true })
  const authenticator = createKeyAuthenticator(gateway.context)
  lookups = 0
  return { key, tokenId: id, authenticator }
}

/** Disables the token in the database without telling anyone, as a lost invalidation message would leave it. */
async function disableBehindTheCachesBack(tokenId: number): Promise<void> {
  await gateway.context.database.db.update(tokens).set({ status: 'disabled' }).where(eq(tokens.id, tokenId))
  lookups = 0
}

describe('relay key cache', () => {
  test('a burst of 50 calls with a key not cached yet costs one database lookup', async () => {
    const { key, tokenId, authenticator } = await freshKey()
    const callers = await Promise.all(Array.from({ length: 50 }, () => authenticator.authenticate(key, '127.0.0.1')))
    expect(callers.every((caller) => caller.token.id === tokenId)).toBe(true)
    expect(lookups).toBe(1)
  })

  test('a burst of unknown keys is refused, each key looked up once', async () => {
    const { authenticator } = await freshKey()
    const attempts = Array.from({ length: 20 }, (_, index) =>
      authenticator.authenticate(`sk-unknown-${index % 2}`, '127.0.0.1').catch((error: Error) => error.message),
    )
    expect(await Promise.all(attempts)).toEqual(Array.from({ length: 20 }, () => 'Incorrect API key provided.'))
    expect(lookups).toBe(2)
  })

  test('a key in steady use is reloaded in the background and picks up a change no message announced, without a call waiting', async () => {
    const start = Date.now()
    const { key, tokenId, authenticator } = await freshKey()
    setSystemTime(start)
    await authenticator.authenticate(key, '127.0.0.1')
    await disableBehindTheCachesBack(tokenId)

    // Within the first 45 s the cached answer is used as it is.
    setSystemTime(start + 44_000)
    await authenticator.authenticate(key, '127.0.0.1')
    expect(lookups).toBe(0)

    // Later, the call still gets the cached answer at once, and a reload starts beside it.
    setSystemTime(start + 50_000)
    expect((await authenticator.authenticate(key, '127.0.0.1')).token.id).toBe(tokenId)
    // The clock is held still here, so the wait is counted in attempts, not time.
    let refused = false
    for (let attempt = 0; attempt < 400 && !refused; attempt++) {
      await Bun.sleep(5)
      refused = await authenticator.authenticate(key, '127.0.0.1').then(
        () => false,
        (error: Error) => error.message === 'This API key has been disabled.',
      )
    }
    expect(refused).toBe(true)
    expect(lookups).toBe(1)
  })

  test('an answer past its 60 s is never used: the call waits for a fresh one', async () => {
    const start = Date.now()
    const { key, tokenId, authenticator } = await freshKey()
    setSystemTime(start)
    await authenticator.authenticate(key, '127.0.0.1')
    await disableBehindTheCachesBack(tokenId)
    setSystemTime(start + 60_001)
    await expect(authenticator.authenticate(key, '127.0.0.1')).rejects.toThrow('This API key has been disabled.')
    expect(lookups).toBe(1)
  })

  test('a change announced while a lookup is running is not hidden by that lookup', async () => {
    const { key, tokenId, authenticator } = await freshKey()
    let release!: () => void
    gate = new Promise((resolve) => (release = resolve))
    const early = authenticator.authenticate(key, '127.0.0.1')
    // The admin API's path: the row changes, then the bus tells every cache.
    await gateway.context.database.db.update(tokens).set({ status: 'disabled' }).where(eq(tokens.id, tokenId))
    await gateway.context.bus.publish('tokens')
    gate = Promise.resolve()
    release()
    // The call made before the change got the state it read; every call after the change sees it.
    expect((await early).token.id).toBe(tokenId)
    await expect(authenticator.authenticate(key, '127.0.0.1')).rejects.toThrow('This API key has been disabled.')
    await expect(authenticator.authenticate(key, '127.0.0.1')).rejects.toThrow('This API key has been disabled.')
  })
})

describe('admin API token cache', () => {
  test('disabling a user while its token is being looked up still locks it out of the next request', async () => {
    const token = 'hat_cache-race-token-000000000000000000'
    const ownerId = await gateway.createUser({ username: 'cache-race', quota: 0 })
    await gateway.context.database.db.insert(accessTokens).values({ userId: ownerId, name: 'race', tokenHash: sha256Hex(token) })
    const resolver = createActorResolver(gateway.context)
    let release!: () => void
    gate = new Promise((resolve) => (release = resolve))
    const early = resolver.resolve(`Bearer ${token}`)
    await gateway.context.database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, ownerId))
    await gateway.context.bus.publish('users')
    // The lookup read the row before the change, and its answer arrives only now: it must not outlive the announcement.
    gate = Promise.resolve()
    release()
    await early
    expect(await resolver.resolve(`Bearer ${token}`)).toBeUndefined()
  })

  test('a burst of requests with one token not cached yet costs one lookup, and all of them get its user', async () => {
    const token = 'hat_cache-burst-token-00000000000000000'
    const ownerId = await gateway.createUser({ username: 'cache-burst', quota: 0 })
    await gateway.context.database.db.insert(accessTokens).values({ userId: ownerId, name: 'burst', tokenHash: sha256Hex(token) })
    const resolver = createActorResolver(gateway.context)
    lookups = 0
    const actors = await Promise.all(Array.from({ length: 30 }, () => resolver.resolve(`Bearer ${token}`)))
    expect(actors.map((actor) => actor?.id)).toEqual(Array.from({ length: 30 }, () => ownerId))
    expect(lookups).toBe(1)
  })
})
