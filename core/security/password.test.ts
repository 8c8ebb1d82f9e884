import { afterEach, describe, expect, test } from 'bun:test'
import { DEFAULT_PASSWORD_HASH_COST, hashPassword, setPasswordHashCost, verifyPassword } from './password.ts'

describe('password hashing cost', () => {
  afterEach(() => setPasswordHashCost(DEFAULT_PASSWORD_HASH_COST))

  test('new hashes are argon2id at 64 MiB and 2 passes unless configured otherwise', async () => {
    setPasswordHashCost(DEFAULT_PASSWORD_HASH_COST)
    const hash = await hashPassword('correct horse')
    expect(hash).toStartWith('$argon2id$v=19$m=65536,t=2,p=1$')
    expect(await verifyPassword('correct horse', hash)).toBe(true)
  })

  test('a configured cost applies to new hashes; a hash made at another cost still verifies', async () => {
    const before = await hashPassword('correct horse')
    setPasswordHashCost({ memoryKib: 19_456, timeCost: 3 })
    const after = await hashPassword('correct horse')
    expect(after).toStartWith('$argon2id$v=19$m=19456,t=3,p=1$')
    expect(await verifyPassword('correct horse', before)).toBe(true)
    expect(await verifyPassword('correct horse', after)).toBe(true)
    expect(await verifyPassword('wrong horse', after)).toBe(false)
  })
})
