import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startReplicas, type ReplicaSet } from '../support/replicas.ts'

// Two gateway processes on one PostgreSQL with no ROOT_PASSWORD: the one that creates root prints
// the generated password; the other says where it went (and when root was created) instead of
// printing nothing, so an operator reading that replica's log is not left without a password.

const databaseUrl = process.env.TEST_DATABASE_URL
const redisUrl = process.env.TEST_REDIS_URL

describe.skipIf(!databaseUrl || !redisUrl)('first root password with two replicas', () => {
  let set: ReplicaSet
  const startedAt = Date.now()

  beforeAll(async () => {
    set = await startReplicas({ count: 2, databaseUrl: databaseUrl ?? '', redisUrl: redisUrl ?? '', env: { ROOT_PASSWORD: '' } })
  }, 60_000)
  afterAll(async () => {
    await set?.stop()
  })

  test("the replica that did not create root points to the other replica's log; the printed password signs in on either", async () => {
    const [creator, other] = set.replicas
    const printed = /First start: created user "root" with password ([A-Za-z0-9]{20})/.exec(creator!.output())
    expect(printed).not.toBeNull()
    const password = printed![1]!

    const otherOutput = other!.output()
    expect(otherOutput).not.toContain(password)
    const pointer =
      /Root was created at (\S+) by another gateway process \(another replica, or an earlier start\) and still awaits first-run setup: its generated password was printed once, in that process's log only/.exec(
        otherOutput,
      )
    expect(pointer).not.toBeNull()
    const createdAt = Date.parse(pointer![1]!)
    expect(createdAt).toBeGreaterThanOrEqual(startedAt - 1000)
    expect(createdAt).toBeLessThanOrEqual(Date.now())
    expect(otherOutput).toContain("docker compose logs | grep 'First start'")

    for (const replica of set.replicas) {
      const login = await fetch(`${replica.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password }),
      })
      expect(login.status).toBe(200)
    }
  })
})
