// Password hashing in one place, for the sign-in routes, the admin API and first boot alike.

/** argon2id's cost for new hashes: memory in KiB and passes (one lane). A hash keeps the cost it was made with. */
export interface PasswordHashCost {
  memoryKib: number
  timeCost: number
}

/** Bun's own argon2id cost (64 MiB, 2 passes): what the gateway uses unless PASSWORD_HASH_MEMORY_KIB / _TIME_COST say otherwise. */
export const DEFAULT_PASSWORD_HASH_COST: PasswordHashCost = { memoryKib: 65_536, timeCost: 2 }

/** OWASP's floor for argon2id (19 MiB, 2 passes): the least PASSWORD_HASH_MEMORY_KIB / _TIME_COST accept, and what the tests hash at. */
export const LEAST_PASSWORD_HASH_COST: PasswordHashCost = { memoryKib: 19_456, timeCost: 2 }

let cost: PasswordHashCost = DEFAULT_PASSWORD_HASH_COST

/**
 * Sets the cost of every new hash in this process (buildContext does, from the configuration): the memory
 * each sign-in, sign-up or password change holds while it hashes. Existing hashes verify at their own cost.
 */
export function setPasswordHashCost(next: PasswordHashCost): void {
  cost = next
}

/** Hashes a password with argon2id at the configured cost. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: 'argon2id', memoryCost: cost.memoryKib, timeCost: cost.timeCost })
}

/** True when `password` matches a hash made by `hashPassword` (the algorithm and cost are read from the hash). */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash)
}
