// Password hashing in one place, for the sign-in routes, the admin API and first boot alike.

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: 'argon2id' })
}

/** True when `password` matches a hash made by `hashPassword` (the algorithm is read from the hash). */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash)
}
